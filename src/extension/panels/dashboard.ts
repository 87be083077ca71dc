// Run dashboard: one webview panel per run folder, live while the run trains. The extension side
// tails metrics.jsonl and posts only the lines added since the last message.
import { basename, join } from "node:path";
import * as vscode from "vscode";
import { parseDashboardFromWebview, type DashboardToWebview, type MetricsPoint, type RunSummary } from "../../protocol/dashboard";
import { createPanel } from "./webviewPanel";
import { strideDown, toMetricsPoint } from "./logic/runData";
import { JsonlTail } from "./logic/tail";
import { readEvaluation, readRunSummary, watchFolder } from "./runFolder";

const VIEW_TYPE = "ichLab.dashboard";
/** Step points sent in the first message; later appends are sent whole. */
const MAX_INITIAL_STEP_POINTS = 5000;
const RUNNING_POLL_MS = 3000;

const open = new Map<string, DashboardPanel>();

class DashboardPanel {
  private readonly tail: JsonlTail;
  private points: MetricsPoint[] = [];
  private run: RunSummary | undefined;
  private ready = false;
  /** Appends are only meaningful after the webview got the full state. */
  private initSent = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly disposables: { dispose(): void }[] = [];
  private poll: NodeJS.Timeout | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly runDir: string,
  ) {
    this.tail = new JsonlTail(join(runDir, "metrics.jsonl"));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw) => this.received(raw)),
      watchFolder(runDir, (names) => this.enqueue(() => this.changed(names))),
    );
    this.enqueue(() => this.changed(new Set(["run.json", "metrics.jsonl", "eval.json"])));
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error: unknown) => this.post({ type: "error", message: error instanceof Error ? error.message : String(error) }));
  }

  private post(message: DashboardToWebview): void {
    if (this.ready && (this.initSent || message.type === "init" || message.type === "error")) void this.panel.webview.postMessage(message);
  }

  private received(raw: unknown): void {
    const message = parseDashboardFromWebview(raw);
    if (!message) return;
    if (message.type === "ready") {
      this.ready = true;
      this.initSent = false;
      this.enqueue(() => this.sendInit());
    } else if (message.type === "openRunJson") {
      void vscode.window.showTextDocument(vscode.Uri.file(join(this.runDir, "run.json")), { preview: true });
    }
  }

  private async sendInit(): Promise<void> {
    if (!this.run) return;
    const steps = strideDown(
      this.points.filter((p) => p.kind === "step"),
      MAX_INITIAL_STEP_POINTS,
    );
    const points = [...steps, ...this.points.filter((p) => p.kind === "epoch")].sort((a, b) => a.globalStep - b.globalStep);
    const evaluation = await readEvaluation(this.runDir);
    if (!this.ready) return;
    this.post({ type: "init", run: this.run, points, evaluation });
    this.initSent = true;
  }

  /** `names` holds changed file names ("" when the watcher could not tell). */
  private async changed(names: Set<string>): Promise<void> {
    const all = names.has("");
    if (all || names.has("run.json")) {
      this.run = await readRunSummary(this.runDir);
      this.panel.title = `Dashboard: ${this.run.name}`;
      this.post({ type: "run", run: this.run });
      this.schedulePoll();
    }
    if (all || names.has("metrics.jsonl")) {
      const { reset, lines } = await this.tail.read();
      const added = lines.map(toMetricsPoint).filter((p): p is MetricsPoint => p !== null);
      if (reset) {
        this.points = added;
        await this.sendInit();
      } else if (added.length > 0) {
        this.points.push(...added);
        if (this.run) this.post({ type: "append", runId: this.run.id, points: added });
      }
    }
    if ((all || names.has("eval.json")) && this.run) this.post({ type: "evaluation", runId: this.run.id, evaluation: await readEvaluation(this.runDir) });
    if (this.ready && !this.initSent) await this.sendInit();
  }

  /** While the run trains, refresh its duration and catch lines a watcher event may have missed. */
  private schedulePoll(): void {
    if (this.poll || this.run?.status !== "running") return;
    this.poll = setInterval(() => {
      if (this.run?.status !== "running") {
        clearInterval(this.poll);
        this.poll = undefined;
        return;
      }
      this.enqueue(() => this.changed(new Set(["run.json", "metrics.jsonl"])));
    }, RUNNING_POLL_MS);
  }

  dispose(): void {
    if (this.poll) clearInterval(this.poll);
    for (const d of this.disposables) d.dispose();
  }
}

/** Opens (or reveals) the dashboard of the run in `runDir`. */
export function openDashboard(context: vscode.ExtensionContext, runDir: string): vscode.WebviewPanel {
  const existing = open.get(runDir);
  if (existing) {
    existing.panel.reveal();
    return existing.panel;
  }
  const panel = createPanel(context.extensionUri, VIEW_TYPE, "dashboard", `Dashboard: ${basename(runDir)}`);
  const dashboard = new DashboardPanel(panel, runDir);
  open.set(runDir, dashboard);
  panel.onDidDispose(() => {
    dashboard.dispose();
    open.delete(runDir);
  });
  return panel;
}
