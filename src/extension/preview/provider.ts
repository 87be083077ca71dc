// The read-only custom editor for *.dcm (VIEW_TYPES.dicomPreview).
import * as vscode from "vscode";
import { previewHtml } from "./html";
import { PreviewSession, type SessionDeps } from "./session";

class DicomDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

export class DicomPreviewProvider implements vscode.CustomReadonlyEditorProvider<DicomDocument> {
  private readonly sessions = new Set<PreviewSession>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: SessionDeps,
  ) {}

  openCustomDocument(uri: vscode.Uri): DicomDocument {
    return new DicomDocument(uri);
  }

  resolveCustomEditor(document: DicomDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, "dist"), vscode.Uri.joinPath(this.extensionUri, "media")],
    };
    const session = new PreviewSession(panel, document.uri.fsPath, this.deps);
    this.sessions.add(session);
    panel.onDidDispose(() => {
      session.dispose();
      this.sessions.delete(session);
    });
    panel.webview.html = previewHtml(panel.webview, this.extensionUri, (base, ...parts) => vscode.Uri.joinPath(base, ...parts));
  }

  /** The active model changed: every open preview re-predicts. */
  modelChanged(): void {
    for (const session of this.sessions) void session.modelChanged();
  }
}
