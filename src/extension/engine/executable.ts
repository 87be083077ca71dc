// Absolute paths for the programs the extension starts. A bare name ("node", "npm") is looked up
// in PATH here instead of by the OS: Windows (CreateProcess, cmd, libuv's spawn) searches the
// current directory before PATH, so a cloned repository's node.exe or npm.cmd would run in place
// of the real one. Relative and empty PATH entries (= the current directory on every platform)
// and entries naming a workspace folder or the current directory are skipped.
import { statSync } from "node:fs";
import { posix, win32 } from "node:path";

export interface ExecutableLookup {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Folders never searched: the workspace folders, the current directory, the child's cwd. */
  excluded: readonly string[];
  /** A plain function (tests pass a table lookup); never called on the lookup object. */
  fileExists?: (path: string) => boolean;
}

/** The error of a program that cannot be found; `code` matches spawn's ENOENT. */
export class ExecutableNotFoundError extends Error {
  readonly code = "ENOENT";
}

const defaultFileExists = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

function pathValue(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  // Windows environment names are case-insensitive ("Path" is the usual spelling).
  if (platform !== "win32") return env.PATH ?? "";
  const key = Object.keys(env).find((k) => k.toUpperCase() === "PATH");
  return key ? (env[key] ?? "") : "";
}

/**
 * The absolute path `name` starts: an absolute `name` as given, a bare name from PATH (on Windows
 * with one of `windowsExtensions`, e.g. node → node.exe). Throws ExecutableNotFoundError.
 */
export function resolveExecutable(name: string, lookup: ExecutableLookup, windowsExtensions: readonly string[] = [".exe"]): string {
  const windows = lookup.platform === "win32";
  const path = windows ? win32 : posix;
  const fileExists = lookup.fileExists ?? defaultFileExists;
  if (path.isAbsolute(name)) return path.normalize(name);
  if ((windows ? /[\\/]/ : /\//).test(name)) {
    throw new ExecutableNotFoundError(`${name}: a relative path is not started (it would resolve against the workspace); give an absolute path or a program name found in PATH`);
  }
  const key = (dir: string) => {
    const normal = path.resolve(dir).replace(/[\\/]+$/, "");
    return windows ? normal.toLowerCase() : normal;
  };
  const excluded = new Set(lookup.excluded.filter((dir) => path.isAbsolute(dir)).map(key));
  const candidates = windows
    ? windowsExtensions.some((ext) => name.toLowerCase().endsWith(ext.toLowerCase()))
      ? [name]
      : windowsExtensions.map((ext) => name + ext)
    : [name];
  const dirs = pathValue(lookup.env, lookup.platform)
    .split(windows ? ";" : ":")
    .map((dir) => (windows ? dir.trim().replace(/^"(.*)"$/, "$1") : dir))
    .filter((dir) => dir.length > 0 && path.isAbsolute(dir) && !excluded.has(key(dir)));
  for (const dir of dirs) {
    for (const candidate of candidates) {
      const full = path.join(dir, candidate);
      if (fileExists(full)) return full;
    }
  }
  throw new ExecutableNotFoundError(`${name} is not in PATH — searched ${dirs.length} folder(s), never the workspace folder or the current directory`);
}

/**
 * How to run npm with `args`. Windows: npm.cmd cannot be spawned without a shell since Node 20.12
 * (CVE-2024-27980, EINVAL), so npm's own JS entry runs with `nodePath` — npm-cli.js sits beside
 * npm.cmd in every Node.js and `npm i -g npm` layout. Elsewhere: the `npm` script from PATH.
 */
export function npmInvocation(args: readonly string[], nodePath: string, lookup: ExecutableLookup): { command: string; args: string[] } {
  if (lookup.platform !== "win32") return { command: resolveExecutable("npm", lookup), args: [...args] };
  const npmCmd = resolveExecutable("npm", lookup, [".cmd"]);
  const cli = win32.join(win32.dirname(npmCmd), "node_modules", "npm", "bin", "npm-cli.js");
  if (!(lookup.fileExists ?? defaultFileExists)(cli)) throw new ExecutableNotFoundError(`npm: ${cli} not found beside ${npmCmd}; reinstall Node.js (it ships npm)`);
  return { command: nodePath, args: [cli, ...args] };
}
