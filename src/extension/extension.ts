// ICH Lab extension host entry. Glue only: every engine action runs `node dist/cli.js ...` in a
// separate process, so activation never loads TF.js and never fails over a missing native backend.
import * as vscode from "vscode";
import { registerCommand } from "./registerCommand";
import { ActiveModel, registerActiveModel } from "./commands/activeModel";
import { registerBackendInfo } from "./commands/backendInfo";
import { registerGpuSetup } from "./commands/gpuSetup";
import { registerLrFind } from "./commands/lrFind";
import { registerNewExperiment } from "./commands/newExperiment";
import { registerPredict } from "./commands/predict";
import { registerRunActions } from "./commands/runActions";
import { registerSynth } from "./commands/synth";
import { registerTrain } from "./commands/train";
import { RUNS_VIEW_ID } from "./ids";
import { Panels } from "./panels/panels";
import { registerDicomPreview } from "./preview";
import { formatProgressMessage } from "./logic/progress";
import { RunsTreeProvider } from "./runsview/runsView";
import { TrainingManager } from "./training";
import { registerWorkspaceTrust } from "./trust";

export function activate(context: vscode.ExtensionContext): void {
  registerWorkspaceTrust();
  const trainings = new TrainingManager(context);
  const runs = new RunsTreeProvider();
  const activeModel = new ActiveModel();
  const panels = new Panels(context);
  runs.liveProgress = (runId) => {
    const training = trainings.find(runId);
    return training ? formatProgressMessage(training.state) : undefined;
  };
  const view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: runs, canSelectMany: true, showCollapseAll: true });
  context.subscriptions.push(trainings, runs, activeModel, panels, view, trainings.onDidChange(() => runs.scheduleRefresh(100)));

  registerTrain(context, trainings);
  registerRunActions(context, runs, trainings, panels);
  registerSynth(context);
  registerNewExperiment(context);
  registerLrFind(context);
  registerActiveModel(context, runs, activeModel);
  registerPredict(context, activeModel, panels);
  registerGpuSetup(context);
  registerBackendInfo(context, runs);
  registerDicomPreview(context, activeModel);
  context.subscriptions.push(registerCommand("ichLab.refreshRuns", () => runs.refresh(true)));
  // Restricted settings (ichLab.runsDirectory) take their workspace value once the workspace is trusted.
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => runs.refresh(true)));

  runs.refresh();
}

export function deactivate(): void {
  // Disposables (training processes get SIGINT) are released through context.subscriptions.
}
