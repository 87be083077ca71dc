// Compare panel: 2+ runs side by side (columns), live while any of them trains; the table can be
// exported as CSV. The extension side owns the data: the export never trusts webview content.
import { join } from "node:path";
import * as vscode from "vscode";
import { writeFileAtomic } from "../../core/fs/atomic";
import { parseCompareFromWebview, parseCompareState, type CompareFromWebview, type CompareRunData, type CompareState, type CompareToWebview } from "../../protocol/compare";
import type { MetricsPoint } from "../../protocol/dashboard";
import { errorMessage } from "../../shared/errors";
import { VIEW_TYPES } from "../ids";
import { WebviewPanelBase, type PanelKind } from "./webviewPanel";
import { compareTableCsvRows } from "../../shared/compareTable";
import { toCsv } from "../../shared/csv";
import { strideDown, toMetricsPoint } from "./logic/runData";
import { JsonlTail } from "./logic/tail";
import { readEvaluation, readRunSummary, watchFolder } from "./runFolder";

export const COMPARE: PanelKind<CompareState, CompareFromWebview> = {
  name: "compare",
  viewType: VIEW_TYPES.compare,
  parseFromWebview: parseCompareFromWebview,
  parseState: parseCompareState,
};
/** Step points per run kept for the overlaid step curves (the epoch points are all kept). */
const MAX_STEP_POINTS_PER_RUN = 1500;
const RUNNING_POLL_MS = 3000;

interface RunSource {
  runDir: string;
  tail: JsonlTail;
  points: MetricsPoint[];
  data?: CompareRunData;
}

export class ComparePanel extends WebviewPanelBase<CompareState, CompareToWebview, CompareFromWebview> {
  private readonly sources: RunSource[];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    state: CompareState,
    private readonly openDashboard: (runDir: string) => unknown,
  ) {
    super(panel, extensionUri, COMPARE, state);
    this.sources = state.runDirs.map((runDir) => ({ runDir, tail: new JsonlTail(join(runDir, "metrics.jsonl")), points: [] }));
    for (const source of this.sources) this.register(watchFolder(source.runDir, () => this.enqueue(() => this.reload([source]))));
    const poll = setInterval(() => {
      const running = this.sources.filter((s) => s.data?.run.status === "running");
      if (running.length > 0) this.enqueue(() => this.reload(running));
    }, RUNNING_POLL_MS);
    this.register({ dispose: () => clearInterval(poll) });
    this.enqueue(() => this.reload(this.sources));
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(() => (this.isDisposed ? undefined : task())).catch((error: unknown) => this.post({ type: "error", message: errorMessage(error) }));
  }

  private async reload(sources: RunSource[]): Promise<void> {
    for (const source of sources) {
      const run = await readRunSummary(source.runDir);
      const { reset, lines } = await source.tail.read();
      const added = lines.map(toMetricsPoint).filter((p): p is MetricsPoint => p !== null);
      source.points = reset ? added : [...source.points, ...added];
      const steps = strideDown(
        source.points.filter((p) => p.kind === "step"),
        MAX_STEP_POINTS_PER_RUN,
      );
      const evaluation = await readEvaluation(source.runDir, 0);
      source.data = { run, points: [...steps, ...source.points.filter((p) => p.kind === "epoch")], evaluation: evaluation && { ...evaluation, roc: {} } };
    }
    this.sendRuns();
  }

  private sendRuns(): void {
    const runs = this.sources.flatMap((s) => (s.data ? [s.data] : []));
    this.panel.title = `Compare ${runs.length} runs`;
    this.post({ type: "runs", runs });
  }

  protected received(message: CompareFromWebview): void {
    if (message.type === "ready") {
      this.enqueue(async () => this.sendRuns());
    } else if (message.type === "exportCsv") {
      this.enqueue(() => this.exportCsv());
    } else if (message.type === "openDashboard") {
      const source = this.sources.find((s) => s.data?.run.id === message.runId);
      if (source) this.openDashboard(source.runDir);
    }
  }

  private async exportCsv(): Promise<void> {
    const runs = this.sources.flatMap((s) => (s.data ? [s.data] : []));
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(this.sources[0].runDir);
    const target = await vscode.window.showSaveDialog({
      title: "ICH: Export run comparison",
      defaultUri: vscode.Uri.joinPath(folder, `ich-compare-${runs.length}-runs.csv`),
      filters: { CSV: ["csv"] },
    });
    if (!target) return;
    await writeFileAtomic(target.fsPath, toCsv(compareTableCsvRows(runs)));
    this.post({ type: "exported", path: target.fsPath });
    void vscode.window.showInformationMessage(`ICH: Comparison written to ${vscode.workspace.asRelativePath(target)}`);
  }
}
