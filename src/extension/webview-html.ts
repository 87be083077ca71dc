// HTML shell shared by every webview (panels and the DICOM preview): strict CSP with one nonce for
// the script bundle, the stylesheet and the inline load-retry script (webview-load-retry.ts), no
// inline handlers. No vscode import, so the shell can be rendered in a plain browser for tests.
import { randomBytes } from "node:crypto";
import { LOAD_RETRY_SCRIPT } from "./webview-load-retry";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface WebviewShell {
  /** The webview's resource origin (`webview.cspSource`). */
  cspSource: string;
  /** Webview URIs of the script bundle and the stylesheet. */
  scriptUri: string;
  styleUri: string;
  title: string;
  /** Image sources allowed besides the webview's own origin, e.g. `data:`, `blob:`. */
  extraImgSources: readonly string[];
  /** Attributes of `<body>`, already escaped (may be empty). */
  bodyAttributes: string;
  /** Static markup placed before the script tag. */
  bodyMarkup: string;
}

export function webviewHtml(shell: WebviewShell): string {
  const nonce = randomBytes(16).toString("base64");
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // vscode-elements use constructable stylesheets and chart.js sets element.style: no 'unsafe-inline' needed.
    `style-src ${shell.cspSource} 'nonce-${nonce}'`,
    [`img-src ${shell.cspSource}`, ...shell.extraImgSources].join(" "),
    `font-src ${shell.cspSource}`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<script nonce="${nonce}">${LOAD_RETRY_SCRIPT}</script>
<link rel="stylesheet" href="${escapeHtml(shell.styleUri)}" nonce="${nonce}">
<title>${escapeHtml(shell.title)}</title>
</head>
<body${shell.bodyAttributes ? ` ${shell.bodyAttributes}` : ""}>
${shell.bodyMarkup}
<script nonce="${nonce}" src="${escapeHtml(shell.scriptUri)}"></script>
</body>
</html>`;
}
