// ICH: Show Backend Info — probes the engine's backend in a separate process (`ich backend --json`).
import * as vscode from "vscode";
import { registerCommand } from "../registerCommand";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { backendInvocation } from "../logic/commandLine";
import { backendReportMarkdown, lastImagesPerSec, type BackendProbe, type Throughput } from "../logic/backendReport";
import { readBackendOutput } from "../../protocol/engine-output";
import type { RunsTreeProvider } from "../runsview/runsView";
import { engineContext, primaryWorkspaceFolder } from "../settings";
import { ichOutput, runEngineTask } from "./engineTask";
import { engineAllowed } from "../trust";
import { showMarkdownPreview } from "./showMarkdown";
import { errorMessage } from "../../shared/errors";

async function newestThroughput(provider: RunsTreeProvider): Promise<Throughput | undefined> {
  await provider.reloadNow();
  const runs = [...provider.runs].sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
  for (const run of runs) {
    const metrics = await readFile(join(run.runDir, "metrics.jsonl"), "utf8").catch(() => "");
    const last = lastImagesPerSec(metrics);
    if (last) return { runId: run.record.id, backend: run.record.backend, ...last };
  }
  return undefined;
}

export function registerBackendInfo(context: vscode.ExtensionContext, provider: RunsTreeProvider): void {
  context.subscriptions.push(
    registerCommand("ichLab.showBackendInfo", async () => {
      if (!engineAllowed("Show Backend Info")) return;
      const engine = engineContext(context);
      const output = ichOutput(context);
      const stdout = await runEngineTask({
        title: "ICH: Probing the TF.js backend and ONNX Runtime",
        invocation: backendInvocation(engine),
        cwd: primaryWorkspaceFolder()?.uri.fsPath ?? context.extensionPath,
        output,
      });
      if (stdout === undefined) return;
      let probe: BackendProbe;
      try {
        probe = readBackendOutput(stdout);
      } catch (error) {
        void vscode.window.showErrorMessage(errorMessage(error));
        return;
      }
      const markdown = backendReportMarkdown(probe, engine.backend, engine.nodePath, await newestThroughput(provider));
      output.appendLine(markdown);
      await showMarkdownPreview(context, "backend-info.md", markdown);
    }),
  );
}
