// ICH: Find Learning Rate — runs `ich lr-find`, plots the sweep, offers to write the suggestion.
import * as vscode from "vscode";
import { registerCommand } from "../registerCommand";
import { lrFindInvocation } from "../logic/commandLine";
import { readLrFindOutput } from "../../protocol/engine-output";
import { formatLr, lrSweepSvg, withMaxLr } from "../logic/lrFind";
import { engineContext, runsDirectory, workspaceFolderFor } from "../settings";
import { ichOutput, runEngineTask } from "./engineTask";
import { engineAllowed } from "../trust";
import { showMarkdownPreview } from "./showMarkdown";
import { pickExperiment } from "./train";
import { errorMessage } from "../../shared/errors";

export function registerLrFind(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    registerCommand("ichLab.findLearningRate", async (uri?: vscode.Uri) => {
      if (!engineAllowed("Find Learning Rate")) return;
      const experiment = uri instanceof vscode.Uri ? uri : await pickExperiment("ICH: Find Learning Rate — pick an experiment");
      if (!experiment) return;
      const output = ichOutput(context);
      const folder = workspaceFolderFor(experiment);
      const stdout = await runEngineTask({
        title: `ICH: Finding learning rate for ${vscode.workspace.asRelativePath(experiment)}`,
        invocation: lrFindInvocation(engineContext(context), experiment.fsPath, runsDirectory(folder)),
        cwd: folder?.uri.fsPath ?? vscode.Uri.joinPath(experiment, "..").fsPath,
        output,
      });
      if (stdout === undefined) return;
      let result;
      try {
        result = readLrFindOutput(stdout);
      } catch (error) {
        output.appendLine(stdout);
        void vscode.window.showErrorMessage(errorMessage(error));
        return;
      }
      const lr = formatLr(result.suggestedLr);
      output.appendLine(`lr-find ${experiment.fsPath}: suggested maxLr ${lr} (${result.points.length} points)`);
      if (result.points.length > 1) {
        const svg = Buffer.from(lrSweepSvg(result)).toString("base64");
        const markdown = `# Learning-rate sweep\n\n${vscode.workspace.asRelativePath(experiment)} — suggested maxLr **${lr}**\n\n![LR sweep](data:image/svg+xml;base64,${svg})\n`;
        await showMarkdownPreview(context, "lr-sweep.md", markdown);
      }
      const choice = await vscode.window.showInformationMessage(`ICH: Suggested learning rate ${lr}. Write it into train.schedule.maxLr?`, "Write to Experiment");
      if (choice !== "Write to Experiment") return;
      const document = await vscode.workspace.openTextDocument(experiment);
      const text = document.getText();
      const edit = new vscode.WorkspaceEdit();
      edit.replace(experiment, new vscode.Range(document.positionAt(0), document.positionAt(text.length)), withMaxLr(text, result.suggestedLr));
      if (await vscode.workspace.applyEdit(edit)) await document.save();
    }),
  );
}
