// HTML shell of the panels' webviews: strict CSP (one nonce'd script bundle from dist/webview,
// one stylesheet from media/), no inline handlers; the script builds the page. No vscode import,
// so the shell can be rendered in a plain browser for tests.
import { randomBytes } from "node:crypto";

export type PanelName = "dashboard" | "compare" | "triage";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `cspSource`: the webview's resource origin; `scriptUri`/`styleUri`: dist/webview/<panel>.js and media/panels.css as webview URIs. */
export function panelHtml(cspSource: string, scriptUri: string, styleUri: string, panel: PanelName, title: string): string {
  const nonce = randomBytes(16).toString("base64");
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // vscode-elements use constructable stylesheets and chart.js sets element.style: no 'unsafe-inline' needed.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(styleUri)}" nonce="${nonce}">
<title>${escapeHtml(title)}</title>
</head>
<body data-panel="${panel}">
<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>
<script nonce="${nonce}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>`;
}
