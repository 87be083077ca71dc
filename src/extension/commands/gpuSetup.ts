// ICH: Set Up GPU Backend — for predictions: ONNX Runtime's CUDA 12 provider (ortGpuSetup.ts); for
// training: checks for CUDA 11 / cuDNN 8, installs @tensorflow/tfjs-node-gpu (or
// the CPU build -node) into the extension's global storage with a visible log, then confirms in
// a fresh engine process which device TF.js really registered.
import * as vscode from "vscode";
import { registerCommand } from "../registerCommand";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { backendInvocation } from "../logic/commandLine";
import { checkGpuRequirements, explainInstallFailure, REQUIRED_CUDA_LIBRARIES } from "../logic/gpuCheck";
import { readBackendOutput } from "../../protocol/engine-output";
import type { BackendProbe } from "../logic/backendReport";
import { startEngine } from "../engine/engineProcess";
import { npmInvocation } from "../engine/executable";
import { executableLookup, launchProcess } from "../engine/launch";
import { engineAllowed } from "../trust";
import { configuration, engineContext, nativeModulesDirectory } from "../settings";
import { setUpOrtCuda } from "./ortGpuSetup";
import { errorMessage } from "../../shared/errors";

const TFJS_NODE_VERSION = "4.22.0";

/** stdout of a probe (nvidia-smi, ldconfig), undefined when it is missing or fails. */
function run(command: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    let stdout = "";
    try {
      const child = launchProcess(command, args, { timeout: 20_000 });
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.on("error", () => resolve(undefined));
      child.on("close", (code) => resolve(code === 0 ? stdout : undefined));
    } catch {
      resolve(undefined);
    }
  });
}

async function ldconfigOutput(): Promise<string | undefined> {
  return (await run("ldconfig", ["-p"])) ?? (await run("/sbin/ldconfig", ["-p"]));
}

function libsInLibraryPath(): string[] {
  const dirs = (process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean);
  return REQUIRED_CUDA_LIBRARIES.filter((lib) => dirs.some((dir) => existsSync(join(dir, lib.soname)))).map((lib) => lib.soname);
}

export function npmInstall(
  prefix: string,
  spec: string,
  nodePath: string,
  output: vscode.OutputChannel,
  token: vscode.CancellationToken,
  extra: { args?: string[]; env?: Record<string, string> } = {},
): Promise<{ ok: boolean; log: string }> {
  return new Promise((resolve) => {
    const args = ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--foreground-scripts", spec, ...(extra.args ?? [])];
    output.appendLine(`$ npm ${args.join(" ")}`);
    // cwd = the prefix: npm reads a project .npmrc from its cwd, never the workspace's.
    const options = { cwd: prefix, env: { ...process.env, npm_config_yes: "true", ...extra.env } };
    let child: ReturnType<typeof launchProcess>;
    try {
      const npm = npmInvocation(args, nodePath, executableLookup(options));
      child = launchProcess(npm.command, npm.args, options);
    } catch (error) {
      resolve({ ok: false, log: `npm: ${errorMessage(error)}` });
      return;
    }
    let log = "";
    const append = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      log += text;
      output.append(text);
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    token.onCancellationRequested(() => child.kill("SIGINT"));
    child.on("error", (error) => resolve({ ok: false, log: `${log}\nnpm: ${error.message}` }));
    child.on("close", (code) => resolve({ ok: code === 0, log }));
  });
}

export function registerGpuSetup(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    registerCommand("ichLab.setUpGpuBackend", async () => {
      if (!engineAllowed("Set Up GPU Backend")) return;
      const target = await vscode.window.showQuickPick(
        [
          { label: "ONNX Runtime CUDA 12 provider", description: "predictions, evaluation, preview, triage, ich serve", id: "onnx" },
          { label: "TF.js native backend (tfjs-node-gpu / tfjs-node)", description: "training", id: "tfjs" },
        ],
        { title: "ICH: Set Up GPU Backend for…" },
      );
      if (!target) return;
      if (target.id === "onnx") return setUpOrtCuda(context);
      const output = vscode.window.createOutputChannel("ICH Lab: GPU Backend Setup");
      context.subscriptions.push(output);
      output.show(true);
      output.appendLine("Checking for an NVIDIA GPU, CUDA 11 and cuDNN 8 (tfjs-node-gpu 4.x loads libtensorflow 2.9: CUDA 11.2 + cuDNN 8.1)…");
      const check = checkGpuRequirements({
        nvidiaSmi: await run("nvidia-smi", ["--query-gpu=name,driver_version", "--format=csv,noheader"]),
        ldconfig: await ldconfigOutput(),
        foundInLibraryPath: libsInLibraryPath(),
      });
      for (const line of check.summary) output.appendLine(line);
      const gpu = check.packageName === "@tensorflow/tfjs-node-gpu";
      const question = gpu
        ? `ICH: Install ${check.packageName}@${TFJS_NODE_VERSION} (downloads ~350 MB incl. libtensorflow)?`
        : `ICH: No usable GPU setup (${check.gpus.length === 0 ? "no NVIDIA GPU" : `missing ${check.missing.map((m) => m.soname).join(", ")}`}). Install the native CPU backend @tensorflow/tfjs-node instead?`;
      const answer = await vscode.window.showWarningMessage(question, { modal: true, detail: check.summary.join("\n") }, "Install");
      if (answer !== "Install") return;
      const prefix = nativeModulesDirectory(context);
      await mkdir(prefix, { recursive: true });
      if (!existsSync(join(prefix, "package.json"))) await writeFile(join(prefix, "package.json"), '{"name":"ich-lab-native-backend","private":true}\n');
      const installed = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `ICH: Installing ${check.packageName}`, cancellable: true },
        (_progress, token) => npmInstall(prefix, `${check.packageName}@${TFJS_NODE_VERSION}`, engineContext(context).nodePath, output, token),
      );
      if (!installed.ok) {
        const reason = explainInstallFailure(installed.log);
        output.appendLine(`FAILED: ${reason}`);
        void vscode.window.showErrorMessage(`ICH: Installing ${check.packageName} failed. ${reason}`, "Show Log").then((c) => c && output.show());
        return;
      }
      const backend = gpu ? "tensorflow-gpu" : "tensorflow";
      output.appendLine(`Installed into ${prefix}. Verifying in a fresh engine process with ICH_BACKEND=${backend}…`);
      const engine = startEngine(backendInvocation({ ...engineContext(context), backend }), prefix, { onLog: (line) => output.appendLine(line) });
      const result = await engine.done;
      let probe: BackendProbe | undefined;
      try {
        probe = result.code === 0 ? readBackendOutput(result.stdout) : undefined;
      } catch {
        probe = undefined;
      }
      if (!probe || !probe.backend.startsWith("tensorflow")) {
        const detail = probe ? `the engine still uses ${probe.backend} (${probe.device ?? "?"})` : "the engine could not load it";
        output.appendLine(`NOT ACTIVE: ${detail}.`);
        for (const warning of probe?.warnings ?? []) output.appendLine(`warning: ${warning}`);
        void vscode.window.showErrorMessage(`ICH: ${check.packageName} is installed but ${detail}. See the log.`);
        return;
      }
      const onGpu = probe.gpu === true || /gpu/i.test(probe.device ?? "");
      output.appendLine(`Backend ${probe.backend}, device ${probe.device ?? "?"}.`);
      if (gpu && !onGpu) {
        void vscode.window.showWarningMessage(`ICH: tfjs-node-gpu loaded but registered no GPU device (${probe.device ?? "CPU"}): training would run on the CPU. Check the CUDA 11.2/cuDNN 8.1 install.`);
        return;
      }
      await configuration().update("backend", backend, vscode.ConfigurationTarget.Global);
      void vscode.window.showInformationMessage(`ICH: Native backend ready — ${probe.backend} on ${probe.device ?? (onGpu ? "GPU" : "CPU")}. Setting ichLab.backend = ${backend}.`);
    }),
  );
}
