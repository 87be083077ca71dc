// Triage table for a folder prediction: studies sorted by the `any` probability, click a slice to
// open it in the DICOM preview. Research output, not for diagnosis.
import * as vscode from "vscode";
import { parseTriageFromWebview, parseTriageState, type TriageFromWebview, type TriageResult, type TriageState, type TriageToWebview } from "../../protocol/triage";
import { VIEW_TYPES } from "../ids";
import { WebviewPanelBase, type PanelKind } from "./webviewPanel";

export const TRIAGE: PanelKind<TriageState, TriageFromWebview> = {
  name: "triage",
  viewType: VIEW_TYPES.triage,
  parseFromWebview: parseTriageFromWebview,
  parseState: parseTriageState,
};

export class TriagePanel extends WebviewPanelBase<TriageState, TriageToWebview, TriageFromWebview> {
  private readonly result: TriageResult;
  /** Only files of this prediction can be opened from the webview. */
  private readonly files: Set<string>;

  constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: TriageState) {
    super(panel, extensionUri, TRIAGE, state);
    this.result = state.result;
    this.files = new Set(this.result.studies.flatMap((s) => s.slices.map((slice) => slice.file)));
  }

  protected received(message: TriageFromWebview): void {
    const csv = vscode.Uri.file(this.result.csvPath);
    if (message.type === "ready") {
      this.post({ type: "result", result: this.result });
    } else if (message.type === "openSlice") {
      if (!this.files.has(message.file)) return;
      void vscode.commands.executeCommand("vscode.openWith", vscode.Uri.file(message.file), VIEW_TYPES.dicomPreview, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    } else if (message.type === "openCsv") {
      void vscode.window.showTextDocument(csv, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    } else if (message.type === "revealCsv") {
      void vscode.commands.executeCommand(vscode.workspace.getWorkspaceFolder(csv) ? "revealInExplorer" : "revealFileInOS", csv);
    }
  }
}
