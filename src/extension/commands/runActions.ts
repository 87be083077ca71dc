// Runs view actions: Open Dashboard, Compare Selected, Evaluate, Cancel, Reveal, Delete.
import * as vscode from "vscode";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { evalInvocation } from "../logic/commandLine";
import { formatMetric } from "../logic/runTree";
import { readEvalOutput } from "../../protocol/engine-output";
import { errorMessage } from "../../shared/errors";
import { deleteRun, isProcessAlive } from "../runsview/runFiles";
import type { RunsTreeProvider } from "../runsview/runsView";
import { engineContext, primaryWorkspaceFolder } from "../settings";
import type { TrainingManager } from "../training";
import { engineAllowed } from "../trust";
import { ichOutput, runEngineTask } from "./engineTask";
import type { CommandId } from "../ids";
import type { Panels } from "../panels/panels";
import { registerCommand } from "../registerCommand";
import { pickRuns, runsFromArguments, type PickedRun } from "./pickRun";

export function registerRunActions(context: vscode.ExtensionContext, provider: RunsTreeProvider, trainings: TrainingManager, panels: Panels): void {
  const register = (id: CommandId, handler: (...args: unknown[]) => unknown) => context.subscriptions.push(registerCommand(id, handler));

  register("ichLab.openDashboard", async (clicked, selected) => {
    const runs = runsFromArguments(clicked, selected);
    const [run] = runs.length > 0 ? runs : await pickRuns(provider, { title: "ICH: Open Dashboard — pick a run" });
    if (!run) return;
    panels.openDashboard(run.runDir);
  });

  register("ichLab.compareRuns", async (clicked, selected) => {
    let runs = runsFromArguments(clicked, selected);
    if (runs.length < 2) runs = await pickRuns(provider, { title: "ICH: Compare Runs — pick two or more", canPickMany: true });
    if (runs.length < 2) {
      if (runs.length === 1) void vscode.window.showInformationMessage("ICH: Select two or more runs to compare.");
      return;
    }
    panels.openCompare(runs.map((r) => r.runDir));
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
        void vscode.window.showErrorMessage(`ICH: Could not delete ${run.record.id}: ${errorMessage(error)}`);
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
    const result = readEvalOutput(stdout);
    return `weighted log loss ${formatMetric(result.weightedLogLoss ?? undefined)}, mean AUC ${formatMetric(result.meanAuc ?? undefined, 3)}`;
  } catch (error) {
    return `evaluation finished, but ${errorMessage(error)} (details in the ICH Lab output)`;
  }
}
