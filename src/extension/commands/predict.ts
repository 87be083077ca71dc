// ICH: Predict — on .dcm files (multi-select) or folders, with the active model; writes an RSNA
// submission CSV next to the input and shows the result.
import * as vscode from "vscode";
import { executeCommand, registerCommand } from "../registerCommand";
import { fileStamp, predictInvocation, predictionCsvPath } from "../logic/commandLine";
import { engineContext, workspaceFolderFor } from "../settings";
import type { ActiveModel } from "./activeModel";
import { ichOutput, runEngineTask } from "./engineTask";
import { engineAllowed } from "../trust";
import { VIEW_TYPES } from "../ids";
import type { Panels } from "../panels/panels";
import { errorMessage } from "../../shared/errors";


async function inputsFromArguments(clicked: unknown, selected: unknown): Promise<vscode.Uri[]> {
  if (Array.isArray(selected) && selected.length > 0) return selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri);
  if (clicked instanceof vscode.Uri) return [clicked];
  const active = vscode.window.activeTextEditor?.document.uri ?? activeCustomEditorUri();
  if (active?.fsPath.toLowerCase().endsWith(".dcm")) return [active];
  return (
    (await vscode.window.showOpenDialog({ title: "ICH: Predict — DICOM files or a folder", canSelectFiles: true, canSelectFolders: true, canSelectMany: true, filters: { DICOM: ["dcm"] } })) ?? []
  );
}

function activeCustomEditorUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? input.uri : undefined;
}

export function registerPredict(context: vscode.ExtensionContext, activeModel: ActiveModel, panels: Panels): void {
  context.subscriptions.push(
    registerCommand("ichLab.predict", async (clicked?: unknown, selected?: unknown) => {
      if (!engineAllowed("Predict")) return;
      const inputs = await inputsFromArguments(clicked, selected);
      if (inputs.length === 0) return;
      let runDir = activeModel.run()?.runDir;
      if (!runDir) {
        await executeCommand("ichLab.selectActiveModel");
        runDir = activeModel.run()?.runDir;
        if (!runDir) return;
      }
      const described = await Promise.all(
        inputs.map(async (uri) => ({ uri, path: uri.fsPath, isDirectory: ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) !== 0 })),
      );
      const csvPath = predictionCsvPath(described, fileStamp(new Date()));
      const output = ichOutput(context);
      const folder = workspaceFolderFor(inputs[0]);
      const stdout = await runEngineTask({
        title: `ICH: Predicting ${inputs.length === 1 ? vscode.workspace.asRelativePath(inputs[0]) : `${inputs.length} inputs`}`,
        invocation: predictInvocation(engineContext(context), runDir, described.map((d) => d.path), csvPath),
        cwd: folder?.uri.fsPath ?? runDir,
        output,
        partialSuccessCodes: [1],
      });
      if (stdout === undefined) return;
      const csv = vscode.Uri.file(csvPath);
      void vscode.window.showInformationMessage(`ICH: Predictions written to ${vscode.workspace.asRelativePath(csv)} (research tool, not for diagnosis).`);
      const single = described.length === 1 && !described[0].isDirectory;
      if (single) {
        try {
          await vscode.commands.executeCommand("vscode.openWith", described[0].uri, VIEW_TYPES.dicomPreview);
          return;
        } catch (error) {
          output.appendLine(`DICOM preview unavailable (${errorMessage(error)}); opening the CSV instead`);
        }
      } else {
        try {
          panels.openTriageFromPredict(stdout, csvPath, runDir);
          return;
        } catch (error) {
          output.appendLine(`triage table unavailable (${errorMessage(error)}); opening the CSV instead`);
        }
      }
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(csv), { preview: false });
    }),
  );
}
