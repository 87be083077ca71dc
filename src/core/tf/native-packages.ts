// Loading the optional native TF.js packages (@tensorflow/tfjs-node, -gpu) from the project's
// node_modules or from extra folders (the extension installs tfjs-node-gpu into its storage).
import Module, { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";

export const localRequire = createRequire(__filename);

export type NativePackageName = "@tensorflow/tfjs-node" | "@tensorflow/tfjs-node-gpu";

export type NativeLoad =
  | { ok: true; module: unknown; version: string; path: string }
  | { ok: false; installed: boolean; reason: string };

/** Where `name` resolves: the project's own node_modules first, then each extra folder. */
export function resolveNativePackage(name: NativePackageName, extraPaths: readonly string[]): string | undefined {
  try {
    return localRequire.resolve(name);
  } catch {
    // not installed beside the engine; try the extra folders
  }
  for (const folder of extraPaths) {
    try {
      return localRequire.resolve(name, { paths: [resolve(folder)] });
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Requires a native package; never throws: a missing or broken install becomes `reason`. */
export function loadNativePackage(name: NativePackageName, extraPaths: readonly string[]): NativeLoad {
  const entry = resolveNativePackage(name, extraPaths);
  if (entry === undefined) {
    const where = ["node_modules", ...extraPaths].join(", ");
    return { ok: false, installed: false, reason: `${name} is not installed (looked in ${where})` };
  }
  const packageRoot = findPackageRoot(entry, name);
  if (!isInside(entry, ownNodeModules())) shareTfjsWith(packageRoot ?? dirname(entry));
  try {
    const module: unknown = localRequire(entry);
    return { ok: true, module, version: readVersion(packageRoot) ?? "unknown", path: packageRoot ?? entry };
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { ok: false, installed: true, reason: `${name} (${entry}) failed to load: ${message}` };
  }
}

function ownNodeModules(): string {
  const tfjsEntry = localRequire.resolve("@tensorflow/tfjs");
  return tfjsEntry.slice(0, tfjsEntry.lastIndexOf(`${sep}node_modules${sep}`) + `${sep}node_modules`.length);
}

function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder + sep);
}

function findPackageRoot(entry: string, name: string): string | undefined {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    try {
      if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === name) return dir;
    } catch {
      // unreadable manifest: keep walking up
    }
  }
  return undefined;
}

function readVersion(packageRoot: string | undefined): string | undefined {
  if (packageRoot === undefined) return undefined;
  try {
    return (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

// A native package installed in another folder would otherwise load its own copy of TF.js, and
// its backend would then register kernels into a tfjs-core the engine never calls.
const SHARED_TFJS = /^@tensorflow\/tfjs(-core|-layers|-converter|-data|-backend-cpu|-backend-webgl)?(\/.*)?$/;
const sharedRoots = new Set<string>();
let hookInstalled = false;

type ResolveFilename = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;

function shareTfjsWith(root: string): void {
  sharedRoots.add(root);
  if (hookInstalled) return;
  hookInstalled = true;
  const moduleInternals = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (request, parent, ...rest) {
    const from = parent?.filename;
    if (from && SHARED_TFJS.test(request) && [...sharedRoots].some((r) => isInside(from, r))) {
      return localRequire.resolve(request);
    }
    return original.call(this, request, parent, ...rest);
  };
}
