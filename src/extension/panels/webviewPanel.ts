// The base of every webview panel (dashboard, compare, triage, explore). It owns the panel's
// disposables and is disposed with the panel; it receives only messages its protocol parser
// accepts; `ready` resolves when the webview first says so, and `post` sends only the panel's
// protocol messages, only to a ready webview (the panel sends its whole state on `ready`), never
// after dispose. The page carries the panel's restore state, which VS Code hands back to the
// panel's serializer (src/extension/panels/panels.ts) after a window reload.
import * as vscode from "vscode";
import { Disposable } from "../dispose";
import { panelHtml, type PanelName } from "./html";

export interface PanelKind<State, FromWebview> {
  /** The webview bundle (dist/webview/<name>.js). */
  name: PanelName;
  viewType: string;
  parseFromWebview(raw: unknown): FromWebview | null;
  /** The restore state from a reloaded window's webview, or null when it is not this panel's. */
  parseState(raw: unknown): State | null;
}

/** A new panel in the active column, with the options every panel shares. */
export function createWebviewPanel(kind: PanelKind<unknown, unknown>, title: string): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(kind.viewType, title, vscode.ViewColumn.Active, { enableScripts: true, retainContextWhenHidden: true });
}

export abstract class WebviewPanelBase<State, ToWebview, FromWebview extends { type: string }> extends Disposable {
  readonly ready: Promise<void>;
  private isReady = false;
  private markReady: () => void = () => undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    kind: PanelKind<State, FromWebview>,
    state: State,
  ) {
    super();
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    const webview = panel.webview;
    // Scripts on; local resources limited to the extension's dist/ and media/ folders.
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist"), vscode.Uri.joinPath(extensionUri, "media")] };
    const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview", `${kind.name}.js`)).toString();
    const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "media", "panels.css")).toString();
    webview.html = panelHtml(webview.cspSource, script, style, kind.name, panel.title, state);
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(
      webview.onDidReceiveMessage((raw: unknown) => {
        const message = kind.parseFromWebview(raw);
        if (!message || this.isDisposed) return;
        if (message.type === "ready") {
          this.isReady = true;
          this.markReady();
        }
        this.received(message);
      }),
    );
  }

  /** A message the protocol parser accepted (`ready` included: the webview loaded or reloaded). */
  protected abstract received(message: FromWebview): void;

  protected post(message: ToWebview): void {
    if (this.isReady && !this.isDisposed) void this.panel.webview.postMessage(message);
  }

  reveal(): void {
    if (!this.isDisposed) this.panel.reveal();
  }
}
