// ICH: Train — from the palette (quick pick of *.ich.json) or an explorer/editor context menu.
import * as vscode from "vscode";
import { executeCommand, registerCommand } from "../registerCommand";
import type { TrainingManager } from "../training";
import { engineAllowed } from "../trust";

export const EXPERIMENT_GLOB = "**/*.ich.json";

export async function pickExperiment(title: string): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const files = await vscode.workspace.findFiles(EXPERIMENT_GLOB, "**/node_modules/**", 500);
  if (files.length === 0) {
    const choice = await vscode.window.showWarningMessage("ICH: No *.ich.json experiment in this workspace.", "New Experiment");
    if (choice === "New Experiment") await executeCommand("ichLab.newExperiment");
    return undefined;
  }
  const items = files
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri, picked: active?.toString() === uri.toString() }))
    .sort((a, b) => Number(b.picked) - Number(a.picked) || a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: "Experiment file (*.ich.json)" });
  return picked?.uri;
}

export function registerTrain(context: vscode.ExtensionContext, trainings: TrainingManager): void {
  context.subscriptions.push(
    registerCommand("ichLab.train", async (uri?: vscode.Uri) => {
      if (!engineAllowed("Train")) return;
      const experiment = uri instanceof vscode.Uri ? uri : await pickExperiment("ICH: Train — pick an experiment");
      if (!experiment) return;
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === experiment.toString());
      if (document?.isDirty) await document.save();
      // Not awaited: the notification tracks the run; the command returns so more runs can start.
      void trainings.train(experiment);
    }),
  );
}
