// The extension's webview panels: opens (or reveals) them for the commands that show them (Runs
// view actions, ICH: Predict, ICH: Explore Dataset) and brings them back after a window reload
// (one serializer per view type, state from the page: src/extension/panels/webviewPanel.ts).
import { basename, dirname } from "node:path";
import * as vscode from "vscode";
import { readPredictOutput } from "../../protocol/engine-output";
import { buildTriage } from "../../shared/triage";
import type { TriageResult } from "../../protocol/triage";
import { ComparePanel, COMPARE } from "./compare";
import { DashboardPanel, DASHBOARD } from "./dashboard";
import { ExplorePanel, EXPLORE, registerExplore } from "./explore";
import { TriagePanel, TRIAGE } from "./triage";
import { createWebviewPanel, type PanelKind } from "./webviewPanel";

/** What the registry needs of an open panel. */
interface OpenPanel {
  readonly panel: vscode.WebviewPanel;
  reveal(): void;
}

export class Panels implements vscode.Disposable {
  /** Open panels by view type and key (run folder, run folders, dataset); triage tables are never reused. */
  private readonly open = new Map<string, OpenPanel>();
  private readonly registrations: vscode.Disposable[];

  constructor(private readonly context: vscode.ExtensionContext) {
    const uri = context.extensionUri;
    this.registrations = [
      this.serializer(DASHBOARD, (panel, state) => this.track(DASHBOARD, state.runDir, new DashboardPanel(panel, uri, state))),
      this.serializer(COMPARE, (panel, state) => this.track(COMPARE, state.runDirs.join("\u0000"), new ComparePanel(panel, uri, state, (runDir) => this.openDashboard(runDir)))),
      this.serializer(TRIAGE, (panel, state) => new TriagePanel(panel, uri, state)),
      this.serializer(EXPLORE, (panel, state) => this.track(EXPLORE, state.target, new ExplorePanel(panel, context, state))),
    ];
    registerExplore(context, (target) => this.openExplore(target));
  }

  private serializer<State>(kind: PanelKind<State, unknown>, restore: (panel: vscode.WebviewPanel, state: State) => unknown): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(kind.viewType, {
      deserializeWebviewPanel: async (panel, raw: unknown) => {
        const state = kind.parseState(raw);
        // A page that never stored its state (closed before it loaded) cannot be rebuilt.
        if (state) restore(panel, state);
        else panel.dispose();
      },
    });
  }

  private track<T extends OpenPanel>(kind: PanelKind<unknown, unknown>, key: string, panel: T): T {
    const id = `${kind.viewType}\u0000${key}`;
    this.open.set(id, panel);
    panel.panel.onDidDispose(() => {
      if (this.open.get(id) === (panel)) this.open.delete(id);
    });
    return panel;
  }

  /** Reveals the open panel of `kind` for `key`, else opens one with `create`. */
  private reveal(kind: PanelKind<unknown, unknown>, key: string, title: string, create: (panel: vscode.WebviewPanel) => OpenPanel): void {
    const existing = this.open.get(`${kind.viewType}\u0000${key}`);
    if (existing) existing.reveal();
    else this.track(kind, key, create(createWebviewPanel(kind, title)));
  }

  openDashboard(runDir: string): void {
    this.reveal(DASHBOARD, runDir, `Dashboard: ${basename(runDir)}`, (panel) => new DashboardPanel(panel, this.context.extensionUri, { runDir }));
  }

  /** The runs in `runDirs` side by side, in the order given. */
  openCompare(runDirs: readonly string[]): void {
    const dirs = [...new Set(runDirs)];
    this.reveal(COMPARE, dirs.join("\u0000"), `Compare ${dirs.length} runs`, (panel) => new ComparePanel(panel, this.context.extensionUri, { runDirs: dirs }, (runDir) => this.openDashboard(runDir)));
  }

  openExplore(target: vscode.Uri): void {
    this.reveal(EXPLORE, target.fsPath, `Explore: ${basename(target.fsPath)}`, (panel) => new ExplorePanel(panel, this.context, { target: target.fsPath }));
  }

  openTriage(result: TriageResult): void {
    const panel = createWebviewPanel(TRIAGE, `Triage: ${vscode.workspace.asRelativePath(dirname(result.csvPath))}`);
    new TriagePanel(panel, this.context.extensionUri, { result });
  }

  /** A folder prediction (`ich predict --json` stdout, the model's run folder) as a triage table. */
  openTriageFromPredict(stdout: string, csvPath: string, runDir: string): void {
    this.openTriage(buildTriage(readPredictOutput(stdout), csvPath, basename(runDir)));
  }

  /** Leaves the panels open: VS Code stores them at shutdown and the serializers restore them. */
  dispose(): void {
    for (const registration of this.registrations) registration.dispose();
  }
}
