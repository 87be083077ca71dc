// Creates a panel webview with the shared options: scripts on, context kept while hidden, and
// local resources limited to the extension's dist/ and media/ folders.
import * as vscode from "vscode";
import { panelHtml, type PanelName } from "./html";

export function createPanel(extensionUri: vscode.Uri, viewType: string, panel: PanelName, title: string): vscode.WebviewPanel {
  const webviewPanel = vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, {
    enableScripts: true,
    retainContextWhenHidden: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist"), vscode.Uri.joinPath(extensionUri, "media")],
  });
  const webview = webviewPanel.webview;
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview", `${panel}.js`)).toString();
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "media", "panels.css")).toString();
  webview.html = panelHtml(webview.cspSource, script, style, panel, title);
  return webviewPanel;
}
