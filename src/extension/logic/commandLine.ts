// Command lines for the `ich` engine process. The extension never trains in its own process:
// every action is `node dist/cli.js <command> ...` with JSON output.
import { isAbsolute, join } from "node:path";
import type { BackendChoice } from "../../core/experiment/types";

/** The `ichLab.backend` setting takes the experiment's `train.backend` values. */
export type BackendSetting = BackendChoice;

export interface EngineInvocation {
  command: string; // the Node executable
  args: string[];
  env: Record<string, string>;
}

/**
 * The Node executable for engine processes: the `ichLab.nodePath` setting when set; else the
 * extension host's own executable when that is plain Node (code-server, Remote); else `node`
 * from PATH (desktop VS Code runs the host inside Electron).
 */
export function resolveNodePath(setting: string | undefined, execPath: string, versions: { electron?: string; node?: string }): string {
  if (setting && setting.trim().length > 0) return setting.trim();
  return versions.electron ? "node" : execPath;
}

/** Absolute runs directory: the setting resolved against the workspace folder. */
export function resolveRunsDirectory(setting: string | undefined, workspaceFolder: string): string {
  const dir = setting && setting.trim().length > 0 ? setting.trim() : "runs";
  return isAbsolute(dir) ? dir : join(workspaceFolder, dir);
}

export interface EngineContext {
  nodePath: string;
  cliPath: string; // <extension>/dist/cli.js
  backend: BackendSetting;
  /** Folder with optionally installed native backends (ICH: Set Up GPU Backend). */
  nativeModulesDir?: string;
}

function invocation(context: EngineContext, args: string[]): EngineInvocation {
  const env: Record<string, string> = { ICH_BACKEND: context.backend };
  // Native backends installed by "ICH: Set Up GPU Backend": ICH_NATIVE_MODULES for initBackend,
  // NODE_PATH so the packages they require resolve from that folder too.
  if (context.nativeModulesDir) {
    env.ICH_NATIVE_MODULES = context.nativeModulesDir;
    env.NODE_PATH = join(context.nativeModulesDir, "node_modules");
  }
  return { command: context.nodePath, args: [context.cliPath, ...args], env };
}

/** `ichLab.backend` "auto" leaves the choice to the experiment's train.backend. */
export function trainInvocation(context: EngineContext, experimentPath: string, runsDir: string): EngineInvocation {
  return invocation(context, ["train", experimentPath, "--json-progress", "--runs", runsDir, ...backendFlag(context)]);
}

function backendFlag(context: EngineContext): string[] {
  return context.backend === "auto" ? [] : ["--backend", context.backend];
}

export function evalInvocation(context: EngineContext, runsRoot: string, runId: string): EngineInvocation {
  return invocation(context, ["eval", runId, "--runs", runsRoot, "--json", ...backendFlag(context)]);
}

/** `ich predict RUN INPUTS --json`, with `csvOut` also the RSNA submission CSV (ICH: Predict; the preview passes none). */
export function predictInvocation(context: EngineContext, runDir: string, inputs: readonly string[], csvOut?: string): EngineInvocation {
  return invocation(context, ["predict", runDir, ...inputs, "--json", ...(csvOut ? ["--out", csvOut] : []), ...backendFlag(context)]);
}

/** `ich predict RUN FILE --gradcam LABEL`: the heat grid of one label on one file. */
export function gradcamInvocation(context: EngineContext, runDir: string, file: string, label: string): EngineInvocation {
  return invocation(context, ["predict", runDir, file, "--gradcam", label, ...backendFlag(context)]);
}

/** The run store matters when the experiment starts from a trained run (`model.pretrained: "run:<id>"`). */
export function lrFindInvocation(context: EngineContext, experimentPath: string, runsDir: string | undefined): EngineInvocation {
  return invocation(context, ["lr-find", experimentPath, "--json", ...(runsDir ? ["--runs", runsDir] : []), ...backendFlag(context)]);
}

export interface SynthOptions {
  out: string;
  patients: number;
  slices: number;
  seed: number;
}

export function synthInvocation(context: EngineContext, options: SynthOptions): EngineInvocation {
  return invocation(context, [
    "synth",
    "--out",
    options.out,
    "--patients",
    String(options.patients),
    "--slices",
    String(options.slices),
    "--seed",
    String(options.seed),
  ]);
}

/** `ich explore TARGET --json`; with `reroll`, only the augmentation preview of those files with a new seed. */
export function exploreInvocation(context: EngineContext, target: string, reroll?: { seed: number; files: string[] }): EngineInvocation {
  if (!reroll) return invocation(context, ["explore", target, "--json"]);
  return invocation(context, ["explore", target, "--json", "--augment-only", "--seed", String(reroll.seed), "--", ...reroll.files]);
}

export function backendInvocation(context: EngineContext): EngineInvocation {
  return invocation(context, ["backend", "--json"]);
}

/** Where ICH: Predict writes its RSNA submission CSV: beside a single file, inside a folder. */
export function predictionCsvPath(inputs: { path: string; isDirectory: boolean }[], stamp: string): string {
  if (inputs.length === 0) throw new Error("predict: no input files or folders");
  const first = inputs[0];
  if (inputs.length === 1 && first.isDirectory) return join(first.path, `ich-predictions-${stamp}.csv`);
  const dir = first.path.replace(/[\\/][^\\/]*$/, "");
  return join(dir, `ich-predictions-${stamp}.csv`);
}

/** Filesystem-safe timestamp, e.g. 20261127-140512. */
export function fileStamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}
