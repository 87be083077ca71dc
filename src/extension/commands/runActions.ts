// Runs view actions: Open Dashboard, Compare Selected, Evaluate, Cancel, Reveal, Delete.
import * as vscode from "vscode";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { evalInvocation } from "../logic/commandLine";
import { comparisonMarkdown } from "../logic/comparison";
import { formatMetric } from "../logic/runTree";
import { parseJsonOutput } from "../logic/jsonLines";
import { deleteRun, isProcessAlive } from "../runsview/runFiles";
import type { RunsTreeProvider } from "../runsview/runsView";
import { engineContext, primaryWorkspaceFolder } from "../settings";
import type { TrainingManager } from "../training";
import { engineAllowed } from "../trust";
import { ichOutput, runEngineTask } from "./engineTask";
import { showMarkdownPreview } from "./showMarkdown";
import { pickRuns, runsFromArguments, type PickedRun } from "./pickRun";

/** Panels (dashboard, compare) register here when their module is loaded. */
export interface RunPanels {
  openDashboard(runDir: string): unknown;
  openCompare(runDirs: string[]): unknown;
}
let panels: RunPanels | undefined;
export function setRunPanels(value: RunPanels): void {
  panels = value;
}

export function registerRunActions(context: vscode.ExtensionContext, provider: RunsTreeProvider, trainings: TrainingManager): void {
  const register = (id: string, handler: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, handler));

  register("ichLab.openDashboard", async (clicked, selected) => {
    const runs = runsFromArguments(clicked, selected);
    const [run] = runs.length > 0 ? runs : await pickRuns(provider, { title: "ICH: Open Dashboard — pick a run" });
    if (!run) return;
    if (panels) return panels.openDashboard(run.runDir);
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(join(run.runDir, "run.json")));
    await vscode.window.showTextDocument(document, { preview: true });
  });

  register("ichLab.compareRuns", async (clicked, selected) => {
    let runs = runsFromArguments(clicked, selected);
    if (runs.length < 2) runs = await pickRuns(provider, { title: "ICH: Compare Runs — pick two or more", canPickMany: true });
    if (runs.length < 2) {
      if (runs.length === 1) void vscode.window.showInformationMessage("ICH: Select two or more runs to compare.");
      return;
    }
    if (panels) return panels.openCompare(runs.map((r) => r.runDir));
    await showMarkdownPreview(context, "run-comparison.md", comparisonMarkdown(runs));
  });

  register("ichLab.evaluateRun", async (clicked, selected) => {
    if (!engineAllowed("Evaluate Run")) return;
    let runs = runsFromArguments(clicked, selected);
    if (runs.length === 0) runs = await pickRuns(provider, { title: "ICH: Evaluate Run — pick a run", statuses: ["completed", "cancelled"] });
    const folder = primaryWorkspaceFolder();
    for (const run of runs) {
      const output = ichOutput(context);
      const stdout = await runEngineTask({ title: `ICH: Evaluating ${run.record.id}`, invocation: evalInvocation(engineContext(context), dirname(run.runDir), run.record.id), cwd: folder?.uri.fsPath ?? run.runDir, output });
      if (stdout === undefined) continue;
      output.appendLine(stdout.trim());
      const summary = evaluationSummary(stdout);
      const choice = await vscode.window.showInformationMessage(`ICH: ${run.record.id} — ${summary}`, "Show Output");
      if (choice === "Show Output") output.show(true);
      provider.scheduleRefresh(0);
    }
  });

  register("ichLab.cancelRun", async (clicked, selected) => {
    let runs = runsFromArguments(clicked, selected);
    if (runs.length === 0) runs = await pickRuns(provider, { title: "ICH: Cancel Run — pick a running run", statuses: ["running"] });
    for (const run of runs) cancelRun(run, trainings);
  });

  register("ichLab.revealRun", async (clicked, selected) => {
    const [run] = runsFromArguments(clicked, selected);
    if (!run) return;
    const uri = vscode.Uri.file(run.runDir);
    if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand("revealInExplorer", uri);
    else await vscode.commands.executeCommand("revealFileInOS", uri);
  });

  register("ichLab.deleteRun", async (clicked, selected) => {
    const runs = runsFromArguments(clicked, selected);
    if (runs.length === 0) return;
    const running = runs.filter((r) => r.record.status === "running");
    if (running.length > 0) {
      void vscode.window.showWarningMessage(`ICH: Cancel ${running.map((r) => r.record.id).join(", ")} before deleting (still running).`);
      return;
    }
    const names = runs.map((r) => r.record.id).join(", ");
    const answer = await vscode.window.showWarningMessage(
      `Delete ${runs.length === 1 ? "run" : `${runs.length} runs`} ${names}?`,
      { modal: true, detail: "The run folders (checkpoints, metrics, predictions) are deleted permanently." },
      "Delete",
    );
    if (answer !== "Delete") return;
    for (const run of runs) {
      try {
        await deleteRun(dirname(run.runDir), run.record.id);
      } catch (error) {
        void vscode.window.showErrorMessage(`ICH: Could not delete ${run.record.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    provider.scheduleRefresh(0);
  });
}

function cancelRun(run: PickedRun, trainings: TrainingManager): void {
  const local = trainings.find(run.record.id);
  if (local) {
    local.output.appendLine("cancel requested from the Runs view: sending SIGINT");
    local.process.interrupt();
    return;
  }
  const pid = run.record.pid;
  if (run.record.status !== "running") {
    void vscode.window.showInformationMessage(`ICH: ${run.record.id} is not running (${run.record.status}).`);
  } else if (!pid || run.record.host !== hostname()) {
    void vscode.window.showWarningMessage(`ICH: ${run.record.id} runs on ${run.record.host}, not on this machine; stop it there.`);
  } else if (!isProcessAlive(pid)) {
    void vscode.window.showWarningMessage(`ICH: The process of ${run.record.id} (pid ${pid}) no longer exists; the run crashed or was killed.`);
  } else {
    process.kill(pid, "SIGINT");
    void vscode.window.showInformationMessage(`ICH: Sent SIGINT to ${run.record.id} (pid ${pid}); it stops after the current step.`);
  }
}

function evaluationSummary(stdout: string): string {
  try {
    const result = parseJsonOutput<{ weightedLogLoss?: number; meanAuc?: number; metrics?: { weightedLogLoss?: number; meanAuc?: number } }>(stdout, "ich eval");
    const metrics = result.metrics ?? result;
    if (metrics.weightedLogLoss !== undefined) return `weighted log loss ${formatMetric(metrics.weightedLogLoss)}, mean AUC ${formatMetric(metrics.meanAuc, 3)}`;
  } catch {
    // not JSON: fall through to the generic text
  }
  return "evaluation finished (details in the ICH Lab output)";
}
