// Run dashboard: one webview panel per run folder, live while the run trains. The extension side
// tails metrics.jsonl and posts only the lines added since the last message.
import { join } from "node:path";
import * as vscode from "vscode";
import { parseDashboardFromWebview, parseDashboardState, type DashboardFromWebview, type DashboardState, type DashboardToWebview, type MetricsPoint, type RunSummary } from "../../protocol/dashboard";
import { errorMessage } from "../../shared/errors";
import { VIEW_TYPES } from "../ids";
import { WebviewPanelBase, type PanelKind } from "./webviewPanel";
import { strideDown, toMetricsPoint } from "./logic/runData";
import { JsonlTail } from "./logic/tail";
import { readEvaluation, readRunSummary, watchFolder } from "./runFolder";

export const DASHBOARD: PanelKind<DashboardState, DashboardFromWebview> = {
  name: "dashboard",
  viewType: VIEW_TYPES.dashboard,
  parseFromWebview: parseDashboardFromWebview,
  parseState: parseDashboardState,
};
/** Step points sent in the first message; later appends are sent whole. */
const MAX_INITIAL_STEP_POINTS = 5000;
const RUNNING_POLL_MS = 3000;

export class DashboardPanel extends WebviewPanelBase<DashboardState, DashboardToWebview, DashboardFromWebview> {
  private readonly tail: JsonlTail;
  private points: MetricsPoint[] = [];
  private run: RunSummary | undefined;
  /** Appends are only meaningful after the webview got the full state. */
  private initSent = false;
  private queue: Promise<void> = Promise.resolve();
  private poll: NodeJS.Timeout | undefined;
  readonly runDir: string;

  constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: DashboardState) {
    super(panel, extensionUri, DASHBOARD, state);
    this.runDir = state.runDir;
    this.tail = new JsonlTail(join(this.runDir, "metrics.jsonl"));
    this.register(watchFolder(this.runDir, (names) => this.enqueue(() => this.changed(names))));
    this.register({ dispose: () => this.poll && clearInterval(this.poll) });
    this.enqueue(() => this.changed(new Set(["run.json", "metrics.jsonl", "eval.json"])));
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(() => (this.isDisposed ? undefined : task())).catch((error: unknown) => this.post({ type: "error", message: errorMessage(error) }));
  }

  protected override post(message: DashboardToWebview): void {
    if (this.initSent || message.type === "init" || message.type === "error") super.post(message);
  }

  protected received(message: DashboardFromWebview): void {
    if (message.type === "ready") {
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
    if (!this.initSent) await this.sendInit();
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
}
