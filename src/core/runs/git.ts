import { execFile } from "node:child_process";

/** HEAD commit of the git repository containing `dir`, or undefined (no git, no repo, or slower than `timeoutMs`). */
export function gitCommitOf(dir: string, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      execFile("git", ["rev-parse", "HEAD"], { cwd: dir, timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
        const commit = String(stdout).trim();
        resolve(!error && /^[0-9a-f]{40,64}$/.test(commit) ? commit : undefined);
      });
    } catch {
      resolve(undefined);
    }
  });
}
