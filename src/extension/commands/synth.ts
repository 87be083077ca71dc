// ICH: Generate Demo Dataset — synthetic head-CT phantoms with RSNA labels via `ich synth`.
import * as vscode from "vscode";
import { registerCommand } from "../registerCommand";
import { join } from "node:path";
import { synthInvocation } from "../logic/commandLine";
import { engineContext, primaryWorkspaceFolder } from "../settings";
import { ichOutput, runEngineTask } from "./engineTask";
import { engineAllowed } from "../trust";

export function registerSynth(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    registerCommand("ichLab.generateDemoDataset", async () => {
      if (!engineAllowed("Generate Demo Dataset")) return;
      const folder = primaryWorkspaceFolder();
      if (!folder) {
        void vscode.window.showErrorMessage("ICH: Open a folder first; the demo dataset is written into it.");
        return;
      }
      const name = await vscode.window.showInputBox({
        title: "ICH: Generate Demo Dataset",
        prompt: "Folder (relative to the workspace) for the synthetic DICOM phantoms and labels CSV",
        value: "demo-data",
        validateInput: (value) => (value.trim() === "" ? "Enter a folder name" : undefined),
      });
      if (!name) return;
      const patients = await vscode.window.showQuickPick(["4", "8", "16", "32"], { title: "Patients (each a head CT series)", placeHolder: "8" });
      if (!patients) return;
      const out = join(folder.uri.fsPath, name.trim());
      const output = ichOutput(context);
      const invocation = synthInvocation(engineContext(context), { out, patients: Number(patients), slices: 8, seed: 1 });
      const stdout = await runEngineTask({ title: "ICH: Generating demo dataset", invocation, cwd: folder.uri.fsPath, output });
      if (stdout === undefined) return;
      if (stdout.trim()) output.appendLine(stdout.trim());
      const uri = vscode.Uri.file(out);
      void vscode.window.showInformationMessage(`ICH: Demo dataset written to ${vscode.workspace.asRelativePath(uri)}.`);
      await vscode.commands.executeCommand("revealInExplorer", uri);
    }),
  );
}
