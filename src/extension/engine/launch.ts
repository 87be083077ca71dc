// The one place the extension starts a child process: engine runs (`node dist/cli.js …`), npm for
// the native backend and the GPU probes. It is the last line of defence for workspace trust:
// whatever UI path asked, nothing starts in Restricted Mode. No vscode import (the extension sets
// the policy on activation), so it is testable with plain Node; until then it refuses everything.
import { spawn, type ChildProcessByStdio, type SpawnOptions } from "node:child_process";
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { resolveExecutable, type ExecutableLookup } from "./executable";

export interface LaunchPolicy {
  isTrusted(): boolean;
  /** Absolute paths of the open workspace folders (never searched for executables). */
  workspaceFolders(): readonly string[];
}

let policy: LaunchPolicy = { isTrusted: () => false, workspaceFolders: () => [] };

export function setLaunchPolicy(next: LaunchPolicy): void {
  policy = next;
}

export class RestrictedModeError extends Error {
  override readonly name = "RestrictedModeError";
}

/** The PATH lookup for a child started with `options` (exported for npmInvocation). */
export function executableLookup(options: { cwd?: string | URL; env?: NodeJS.ProcessEnv } = {}): ExecutableLookup {
  const cwd = typeof options.cwd === "string" ? options.cwd : (options.cwd && fileURLToPath(options.cwd));
  return {
    platform: process.platform,
    env: options.env ?? process.env,
    excluded: [...policy.workspaceFolders(), process.cwd(), ...(cwd ? [cwd] : [])],
  };
}

export type LaunchOptions = Omit<SpawnOptions, "stdio" | "shell" | "argv0">;

/**
 * Starts `command` (a bare name is resolved to an absolute path outside the workspace) without a
 * shell, stdin ignored, stdout/stderr piped. Throws RestrictedModeError in an untrusted workspace
 * and ExecutableNotFoundError (code ENOENT) when the program is not found.
 */
export function launchProcess(command: string, args: readonly string[], options: LaunchOptions = {}): ChildProcessByStdio<null, Readable, Readable> {
  if (!policy.isTrusted()) {
    const what = [basename(command), ...args.slice(0, 2).map((a) => basename(a))].join(" ");
    throw new RestrictedModeError(`ICH Lab starts no engine process in Restricted Mode (refused: ${what}). Trust this workspace to run the model.`);
  }
  const executable = resolveExecutable(command, executableLookup(options));
  return spawn(executable, [...args], { ...options, shell: false, windowsHide: true, stdio: ["ignore", "pipe", "pipe"] });
}
