// Triage table for a folder prediction: studies sorted by the `any` probability, click a slice to
// open it in the DICOM preview. Research output, not for diagnosis.
import { dirname } from "node:path";
import * as vscode from "vscode";
import { parseTriageFromWebview, type TriageResult } from "../../protocol/triage";
import { createPanel } from "./webviewPanel";

const VIEW_TYPE = "ichLab.triage";
const DICOM_PREVIEW_VIEW_TYPE = "ichLab.dicomPreview";

/** Shows a prediction result in a new triage panel. */
export function openTriage(context: vscode.ExtensionContext, result: TriageResult): vscode.WebviewPanel {
  const panel = createPanel(context.extensionUri, VIEW_TYPE, "triage", `Triage: ${vscode.workspace.asRelativePath(dirname(result.csvPath))}`);
  const files = new Set(result.studies.flatMap((s) => s.slices.map((slice) => slice.file)));
  const subscription = panel.webview.onDidReceiveMessage(async (raw) => {
    const message = parseTriageFromWebview(raw);
    if (!message) return;
    if (message.type === "ready") {
      void panel.webview.postMessage({ type: "result", result });
    } else if (message.type === "openSlice") {
      // Only files of this prediction can be opened from the webview.
      if (!files.has(message.file)) return;
      await vscode.commands.executeCommand("vscode.openWith", vscode.Uri.file(message.file), DICOM_PREVIEW_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    } else if (message.type === "openCsv") {
      await vscode.window.showTextDocument(vscode.Uri.file(result.csvPath), { viewColumn: vscode.ViewColumn.Beside, preview: true });
    } else if (message.type === "revealCsv") {
      const uri = vscode.Uri.file(result.csvPath);
      await vscode.commands.executeCommand(vscode.workspace.getWorkspaceFolder(uri) ? "revealInExplorer" : "revealFileInOS", uri);
    }
  });
  panel.onDidDispose(() => subscription.dispose());
  return panel;
}
