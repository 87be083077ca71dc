// ICH: New Experiment — scaffolds a *.ich.json from the engine's template (IntelliSense comes from
// the experiment schema contributed through jsonValidation).
import * as vscode from "vscode";
import { registerCommand } from "../registerCommand";
import { experimentTemplate, type TemplateKind } from "../../core/experiment/template";
import { primaryWorkspaceFolder } from "../settings";

const KINDS: { label: string; template: TemplateKind; detail: string }[] = [
  { label: "Synthetic phantoms", template: "synthetic", detail: "Generated head-CT phantoms, small CNN: trains on a CPU in minutes" },
  { label: "RSNA DICOM", template: "rsna", detail: "RSNA Intracranial Hemorrhage Detection stage 2 DICOM + labels CSV, ResNet18" },
  { label: "Preprocessed images", template: "images", detail: "Pre-windowed JPG/PNG slices + labels table" },
];

export function registerNewExperiment(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    registerCommand("ichLab.newExperiment", async (target?: vscode.Uri) => {
      const folder = primaryWorkspaceFolder();
      if (!folder) {
        void vscode.window.showErrorMessage("ICH: Open a folder first; the experiment file is created in it.");
        return;
      }
      const picked = await vscode.window.showQuickPick(KINDS, { title: "ICH: New Experiment — data source" });
      if (!picked) return;
      const name = await vscode.window.showInputBox({
        title: "ICH: New Experiment — name",
        value: picked.template === "synthetic" ? "demo" : "resnet18-baseline",
        validateInput: (value) => (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value) ? undefined : "Letters, digits, '.', '_' and '-' only"),
      });
      if (!name) return;
      let dir = folder.uri;
      if (target instanceof vscode.Uri) {
        const stat = await vscode.workspace.fs.stat(target);
        dir = stat.type & vscode.FileType.Directory ? target : vscode.Uri.joinPath(target, "..");
      }
      const uri = vscode.Uri.joinPath(dir, `${name}.ich.json`);
      const exists = await vscode.workspace.fs.stat(uri).then(
        () => true,
        () => false,
      );
      if (exists) {
        const answer = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(uri)} exists. Overwrite?`, { modal: true }, "Overwrite");
        if (answer !== "Overwrite") return;
      }
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(experimentTemplate(picked.template, name)));
      await vscode.window.showTextDocument(uri);
    }),
  );
}
