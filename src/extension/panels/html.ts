// HTML of the panels' webviews: one script bundle from dist/webview and one stylesheet from media/;
// the script builds the page. No vscode import, so the shell can be rendered in a plain browser for tests.
import { escapeHtml, webviewHtml } from "../webview-html";

export type PanelName = "dashboard" | "compare" | "triage" | "explore";

/**
 * `cspSource`: the webview's resource origin; `scriptUri`/`styleUri`: dist/webview/<panel>.js and
 * media/panels.css as webview URIs; `restoreState`: what the panel's serializer needs to reopen it
 * after a window reload (the webview stores it with setState, webview/shared/host.ts).
 */
export function panelHtml(cspSource: string, scriptUri: string, styleUri: string, panel: PanelName, title: string, restoreState: unknown = null): string {
  return webviewHtml({
    cspSource,
    scriptUri,
    styleUri,
    title,
    extraImgSources: ["data:"],
    bodyAttributes: `data-panel="${panel}" data-restore="${escapeHtml(JSON.stringify(restoreState))}"`,
    bodyMarkup: `<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>`,
  });
}
