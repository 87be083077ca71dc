// ICH: Set Up GPU Backend → ONNX Runtime CUDA 12 provider: installs onnxruntime-node with its CUDA
// flag into the extension's native-modules folder (the engine loads it from there first), then
// asks a fresh engine process (`ich backend --json`) which provider a probe graph really ran on.
import * as vscode from "vscode";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BackendProbe } from "../logic/backendReport";
import { backendInvocation } from "../logic/commandLine";
import { readBackendOutput } from "../../protocol/engine-output";
import { explainOrtInstallFailure, ortCudaInstall, ortCudaVerdict } from "../logic/ortGpuSetup";
import { startEngine } from "../engine/engineProcess";
import { engineContext, nativeModulesDirectory } from "../settings";
import { npmInstall } from "./gpuSetup";

function bundledOrtVersion(extensionPath: string): string {
  try {
    return (JSON.parse(readFileSync(join(extensionPath, "node_modules", "onnxruntime-node", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "1.30.0";
  }
}

async function probeEngine(context: vscode.ExtensionContext, cwd: string, output: vscode.OutputChannel): Promise<BackendProbe | undefined> {
  const result = await startEngine(backendInvocation(engineContext(context)), cwd, { onLog: (line) => output.appendLine(line) }).done;
  try {
    return result.code === 0 ? readBackendOutput(result.stdout) : undefined;
  } catch {
    return undefined;
  }
}

export async function setUpOrtCuda(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("ICH Lab: GPU Backend Setup");
  context.subscriptions.push(output);
  output.show(true);
  const prefix = nativeModulesDirectory(context);
  await mkdir(prefix, { recursive: true });
  output.appendLine("Checking what ONNX Runtime's CUDA 12 provider needs here (NVIDIA driver, CUDA 12 runtime, cuDNN 9)…");
  const before = await probeEngine(context, prefix, output);
  const missing = (before?.engine?.onnx.gpu?.missing ?? []).filter((m) => !m.includes("providers_cuda"));
  for (const m of missing) output.appendLine(`missing: ${m}`);
  const install = ortCudaInstall(bundledOrtVersion(context.extensionPath));
  const question = missing.length === 0 ? `ICH: Install ${install.spec} with its CUDA 12 provider (downloads several hundred MB from NuGet)?` : `ICH: This machine lacks ${missing.length} thing(s) the CUDA provider needs (see the log). Install ${install.spec} with the CUDA 12 provider anyway?`;
  const answer = await vscode.window.showWarningMessage(question, { modal: true, detail: missing.join("\n") || "NVIDIA driver, CUDA 12 runtime and cuDNN 9 found." }, "Install");
  if (answer !== "Install") return;
  if (!existsSync(join(prefix, "package.json"))) await writeFile(join(prefix, "package.json"), '{"name":"ich-lab-native-backend","private":true}\n');
  const installed = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ICH: Installing ${install.spec} (CUDA 12)`, cancellable: true }, (_progress, token) =>
    npmInstall(prefix, install.spec, engineContext(context).nodePath, output, token, { args: install.args, env: install.env }),
  );
  if (!installed.ok) {
    const reason = explainOrtInstallFailure(installed.log);
    output.appendLine(`FAILED: ${reason}`);
    void vscode.window.showErrorMessage(`ICH: Installing the ONNX Runtime CUDA provider failed. ${reason}`, "Show Log").then((c) => c && output.show());
    return;
  }
  output.appendLine(`Installed into ${prefix}. Asking a fresh engine process which provider really runs a probe graph…`);
  const verdict = ortCudaVerdict(await probeEngine(context, prefix, output));
  output.appendLine(`${verdict.onGpu ? "ON GPU" : "NOT ON GPU"}: ${verdict.message}.`);
  if (verdict.onGpu) void vscode.window.showInformationMessage(`ICH: Predictions now run on the GPU — ${verdict.message}.`);
  else void vscode.window.showWarningMessage(`ICH: ONNX Runtime's CUDA provider is installed but not in use: ${verdict.message}.`);
}
