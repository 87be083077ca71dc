// The "Runs" tree in the ICH Lab activity-bar container: runs grouped by experiment, live from
// file watchers on the run store (so runs started from the CLI show up too).
import * as vscode from "vscode";
import { existsSync } from "node:fs";
import { join, relative, isAbsolute } from "node:path";
import type { BrokenRun, RunRecord } from "../../core/runs/types";
import { brokenRunDescription, brokenRunTooltipMarkdown, groupRunsByExperiment, runDescription, runTooltipMarkdown, statusIcon, type ExperimentGroup } from "../logic/runTree";
import { primaryWorkspaceFolder, runsDirectory } from "../settings";
import { scanRuns, type StoredRun } from "./runFiles";

export class ExperimentItem extends vscode.TreeItem {
  constructor(readonly group: ExperimentGroup) {
    super(group.label, vscode.TreeItemCollapsibleState.Expanded);
    this.id = `experiment:${group.key}`;
    this.iconPath = new vscode.ThemeIcon("beaker");
    this.description = `${group.runs.length} run${group.runs.length === 1 ? "" : "s"}`;
    this.contextValue = "ichExperiment";
    if (group.key) {
      this.resourceUri = vscode.Uri.file(group.key);
      this.tooltip = group.key;
    }
  }
}

export class RunItem extends vscode.TreeItem {
  constructor(
    readonly record: RunRecord,
    readonly runDir: string,
    live?: string,
    note?: string,
  ) {
    super(record.name || record.id, vscode.TreeItemCollapsibleState.None);
    this.id = `run:${runDir}`;
    this.description = record.status === "running" && live ? live : runDescription(record);
    const color = record.status === "failed" ? new vscode.ThemeColor("errorForeground") : record.status === "completed" ? new vscode.ThemeColor("testing.iconPassed") : undefined;
    this.iconPath = new vscode.ThemeIcon(statusIcon(record.status), color);
    const tooltip = new vscode.MarkdownString(runTooltipMarkdown(record, new Date(), note));
    tooltip.supportThemeIcons = true;
    this.tooltip = tooltip;
    this.contextValue = `ichRun.${record.status}`;
    this.accessibilityInformation = { label: `${record.name || record.id}, ${record.status}, ${this.description}` };
    this.command = { command: "ichLab.openDashboard", title: "Open Dashboard", arguments: [this] };
  }
}

/** A run folder whose run.json cannot be used: shown with the reason, never hidden. Run commands do not apply (contextValue is not ichRun.*). */
export class BrokenRunItem extends vscode.TreeItem {
  constructor(readonly broken: BrokenRun) {
    super(broken.id, vscode.TreeItemCollapsibleState.None);
    this.id = `broken:${broken.dir}`;
    this.description = brokenRunDescription(broken);
    this.iconPath = new vscode.ThemeIcon("warning", new vscode.ThemeColor("errorForeground"));
    this.tooltip = new vscode.MarkdownString(brokenRunTooltipMarkdown(broken));
    this.contextValue = "ichBrokenRun";
    this.accessibilityInformation = { label: `${broken.id}, broken run, ${broken.error}` };
    const runJson = join(broken.dir, "run.json");
    if (existsSync(runJson)) this.command = { command: "vscode.open", title: "Open run.json", arguments: [vscode.Uri.file(runJson)] };
  }
}

type Node = ExperimentItem | RunItem | BrokenRunItem;

export class RunsTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private stored: StoredRun[] = [];
  private broken: BrokenRun[] = [];
  private signature = "";
  private get records(): RunRecord[] {
    return this.stored.map((run) => run.record);
  }
  private root: string | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Step-level progress of runs this window is training (the run store only has epochs). */
  liveProgress: (runId: string) => string | undefined = () => undefined;

  constructor() {
    this.watch();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("ichLab.runsDirectory")) {
          this.watch();
          this.refresh();
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watch();
        this.refresh();
      }),
    );
  }

  get runsRoot(): string | undefined {
    return this.root;
  }

  /** Runs currently known to the view (after the last refresh). */
  get runs(): StoredRun[] {
    return [...this.stored];
  }

  private watch(): void {
    this.watcher?.dispose();
    this.root = runsDirectory();
    const folder = primaryWorkspaceFolder();
    if (!this.root || !folder) return;
    const rel = relative(folder.uri.fsPath, this.root);
    const inside = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
    const glob = "**/{run.json,metrics.jsonl}";
    const pattern = inside ? new vscode.RelativePattern(folder, `${rel.split("\\").join("/")}/${glob}`) : new vscode.RelativePattern(vscode.Uri.file(this.root), glob);
    this.watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const onChange = () => this.scheduleRefresh();
    this.watcher.onDidChange(onChange);
    this.watcher.onDidCreate(onChange);
    this.watcher.onDidDelete(onChange);
  }

  /** Debounced: training writes run.json and metrics.jsonl many times per epoch. */
  scheduleRefresh(delayMs = 400): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.refresh(), delayMs);
  }

  /** Re-reads the run store; `force` re-renders even when nothing changed (the Refresh button). */
  refresh(force = false): void {
    if (force) this.signature = "";
    void this.reload();
  }

  /** Re-reads the run store now and resolves when the view model is current. */
  reloadNow(): Promise<void> {
    return this.reload();
  }

  private async reload(): Promise<void> {
    ({ runs: this.stored, broken: this.broken } = this.root ? await scanRuns(this.root) : { runs: [], broken: [] });
    // Re-render only on a real change: a needless refresh flickers and can close an open context menu.
    const signature = JSON.stringify([this.stored.map((run) => [run.runDir, run.record, run.note, run.record.status === "running" ? this.liveProgress(run.record.id) : ""]), this.broken]);
    if (signature !== this.signature) {
      this.signature = signature;
      this.changed.fire(undefined);
    }
    // While something runs, re-read periodically too: watchers can miss events (network disks,
    // folders created after the watcher started) and heartbeats should stay visible.
    const anyRunning = this.records.some((r) => r.status === "running");
    if (anyRunning && !this.poll) this.poll = setInterval(() => this.refresh(), 5000);
    if (!anyRunning && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  private storedOf(record: RunRecord): StoredRun {
    return this.stored.find((run) => run.record === record) ?? { record, runDir: join(this.root as string, record.id) };
  }

  getTreeItem(element: Node): vscode.TreeItem {
    return element;
  }

  getChildren(element?: Node): Node[] {
    if (!this.root) return [];
    if (!element) {
      return [...groupRunsByExperiment(this.records).map((group) => new ExperimentItem(group)), ...this.broken.map((broken) => new BrokenRunItem(broken))];
    }
    if (element instanceof ExperimentItem) {
      return element.group.runs.map((record) => {
        const { runDir, note } = this.storedOf(record);
        return new RunItem(record, runDir, this.liveProgress(record.id), note);
      });
    }
    return [];
  }

  getParent(element: Node): Node | undefined {
    if (element instanceof RunItem) {
      const group = groupRunsByExperiment(this.records).find((g) => g.runs.some((r) => r.id === element.record.id));
      return group ? new ExperimentItem(group) : undefined;
    }
    return undefined;
  }

  dispose(): void {
    this.watcher?.dispose();
    if (this.debounce) clearTimeout(this.debounce);
    if (this.poll) clearInterval(this.poll);
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}
