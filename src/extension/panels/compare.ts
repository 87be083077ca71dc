// Compare panel: 2+ runs side by side (columns), live while any of them trains; the table can be
// exported as CSV. The extension side owns the data: the export never trusts webview content.
import { join } from "node:path";
import * as vscode from "vscode";
import { writeFileAtomic } from "../../core/fs/atomic";
import { parseCompareFromWebview, type CompareRunData, type CompareToWebview } from "../../protocol/compare";
import type { MetricsPoint } from "../../protocol/dashboard";
import { openDashboard } from "./dashboard";
import { createPanel } from "./webviewPanel";
import { compareTableCsvRows } from "./logic/compareTable";
import { toCsv } from "./logic/csv";
import { strideDown, toMetricsPoint } from "./logic/runData";
import { JsonlTail } from "./logic/tail";
import { readEvaluation, readRunSummary, watchFolder } from "./runFolder";

const VIEW_TYPE = "ichLab.compare";
/** Step points per run kept for the overlaid step curves (the epoch points are all kept). */
const MAX_STEP_POINTS_PER_RUN = 1500;
const RUNNING_POLL_MS = 3000;

interface RunSource {
  runDir: string;
  tail: JsonlTail;
  points: MetricsPoint[];
  data?: CompareRunData;
}

const open = new Map<string, ComparePanel>();

class ComparePanel {
  private readonly sources: RunSource[];
  private ready = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly disposables: { dispose(): void }[] = [];
  private readonly poll: NodeJS.Timeout;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    runDirs: string[],
  ) {
    this.sources = runDirs.map((runDir) => ({ runDir, tail: new JsonlTail(join(runDir, "metrics.jsonl")), points: [] }));
    this.disposables.push(panel.webview.onDidReceiveMessage((raw) => this.received(raw)));
    for (const source of this.sources) this.disposables.push(watchFolder(source.runDir, () => this.enqueue(() => this.reload([source]))));
    this.poll = setInterval(() => {
      const running = this.sources.filter((s) => s.data?.run.status === "running");
      if (running.length > 0) this.enqueue(() => this.reload(running));
    }, RUNNING_POLL_MS);
    this.enqueue(() => this.reload(this.sources));
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error: unknown) => this.post({ type: "error", message: error instanceof Error ? error.message : String(error) }));
  }

  private post(message: CompareToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
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

  private received(raw: unknown): void {
    const message = parseCompareFromWebview(raw);
    if (!message) return;
    if (message.type === "ready") {
      this.ready = true;
      this.enqueue(async () => this.sendRuns());
    } else if (message.type === "exportCsv") {
      this.enqueue(() => this.exportCsv());
    } else if (message.type === "openDashboard") {
      const source = this.sources.find((s) => s.data?.run.id === message.runId);
      if (source) openDashboard(this.context, source.runDir);
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

  dispose(): void {
    clearInterval(this.poll);
    for (const d of this.disposables) d.dispose();
  }
}

/** Opens (or reveals) a compare panel for the runs in `runDirs` (column order as given). */
export function openCompare(context: vscode.ExtensionContext, runDirs: string[]): vscode.WebviewPanel {
  const dirs = [...new Set(runDirs)];
  const key = dirs.join("\u0000");
  const existing = open.get(key);
  if (existing) {
    existing.panel.reveal();
    return existing.panel;
  }
  const panel = createPanel(context.extensionUri, VIEW_TYPE, "compare", `Compare ${dirs.length} runs`);
  const compare = new ComparePanel(context, panel, dirs);
  open.set(key, compare);
  panel.onDidDispose(() => {
    compare.dispose();
    open.delete(key);
  });
  return panel;
}
