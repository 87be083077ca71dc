import type * as vscode from "vscode";
import { webviewHtml } from "../webview-html";

/** The preview's HTML: strict CSP (nonce'd script, styles only from the extension), no inline handlers. */
export function previewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, joinPath: (base: vscode.Uri, ...parts: string[]) => vscode.Uri): string {
  return webviewHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(joinPath(extensionUri, "dist", "webview", "preview.js")).toString(),
    styleUri: webview.asWebviewUri(joinPath(extensionUri, "media", "preview.css")).toString(),
    title: "DICOM preview",
    extraImgSources: ["blob:", "data:"],
    bodyAttributes: "",
    // The page is built by the webview script (webview/preview/layout.ts), as every panel's is.
    bodyMarkup: "",
  });
}
