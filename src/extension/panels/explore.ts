// ICH: Explore Dataset — a folder or an experiment file summarised by the engine
// (`ich explore --json`, run in its own process like every engine command): counts, prevalence,
// co-occurrence, header histograms, sample slices (click: DICOM preview), the cleaning report and
// the augmentation preview with a re-roll. Research tool, not for diagnosis.
import { basename } from "node:path";
import * as vscode from "vscode";
import type { AugmentationPreview, ExploreSummary } from "../../core/dataset/explore-types";
import { parseExploreFromWebview, isAugmentationPreview, isExploreSummary, type ExploreToWebview } from "../../protocol/explore";
import { ichOutput } from "../commands/engineTask";
import { failureReason, startEngine, type EngineProcess } from "../engine/engineProcess";
import { exploreInvocation } from "../logic/commandLine";
import { parseJsonOutput } from "../logic/jsonLines";
import { engineContext, workspaceFolderFor } from "../settings";
import { engineAllowed } from "../trust";
import { createPanel } from "./webviewPanel";

const VIEW_TYPE = "ichLab.explore";
const DICOM_PREVIEW_VIEW_TYPE = "ichLab.dicomPreview";

const open = new Map<string, ExplorePanel>();

class ExplorePanel {
  private summary: ExploreSummary | undefined;
  private augmentation: AugmentationPreview | undefined;
  private engine: EngineProcess | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly target: vscode.Uri,
    private readonly context: vscode.ExtensionContext,
  ) {
    this.disposables.push(panel.webview.onDidReceiveMessage((raw) => this.received(raw)));
    this.explore();
  }

  private post(message: ExploreToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private received(raw: unknown): void {
    const message = parseExploreFromWebview(raw);
    if (!message) return;
    if (message.type === "ready") {
      this.ready = true;
      if (this.summary) this.post({ type: "summary", summary: this.summary, canReroll: this.summary.experiment !== null });
      if (this.augmentation) this.post({ type: "augmentation", preview: this.augmentation });
    } else if (message.type === "openSlice") {
      // Only slices this summary shows can be opened from the webview.
      if (!this.shownFiles().has(message.file)) return;
      void vscode.commands.executeCommand("vscode.openWith", vscode.Uri.file(message.file), DICOM_PREVIEW_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    } else if (message.type === "reroll") {
      this.reroll();
    } else if (message.type === "refresh") {
      this.explore();
    }
  }

  private shownFiles(): Set<string> {
    const files = new Set<string>();
    for (const group of this.summary?.samples ?? []) for (const s of group.slices) files.add(s.file);
    for (const s of (this.augmentation ?? this.summary?.augmentation)?.slices ?? []) files.add(s.file);
    return files;
  }

  /** Runs one engine command; resolves with its stdout, or undefined after posting why it failed. */
  private async run(args: Parameters<typeof exploreInvocation>[2]): Promise<string | undefined> {
    if (!engineAllowed("Explore Dataset")) return undefined;
    this.engine?.kill();
    const output = ichOutput(this.context);
    const invocation = exploreInvocation(engineContext(this.context), this.target.fsPath, args);
    output.appendLine(`$ ${invocation.command} ${invocation.args.join(" ")}`);
    const cwd = workspaceFolderFor(this.target)?.uri.fsPath ?? this.target.fsPath.replace(/[\\/][^\\/]*$/, "");
    let engine: EngineProcess;
    try {
      engine = startEngine(invocation, cwd, {
        onEvent: (event) => {
          if (event.type === "log" || event.type === "warning") this.post({ type: "progress", message: event.message });
        },
        onLog: (line, stream) => stream === "stderr" && output.appendLine(line),
      });
    } catch (error) {
      this.post({ type: "error", message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
    this.engine = engine;
    const result = await engine.done;
    if (this.engine !== engine) return undefined; // superseded by a newer run
    this.engine = undefined;
    if (result.code === 0) return result.stdout;
    const reason = failureReason(result);
    output.appendLine(`ich explore failed: ${reason}`);
    this.post({ type: "error", message: `ich explore failed: ${reason}` });
    return undefined;
  }

  private explore(): void {
    void (async () => {
      this.post({ type: "progress", message: "Indexing…" });
      const stdout = await this.run(undefined);
      if (stdout === undefined) return;
      const summary = parseJsonOutput<unknown>(stdout, "ich explore --json");
      if (!isExploreSummary(summary)) {
        this.post({ type: "error", message: "ich explore --json printed a summary this panel cannot read (engine and extension versions differ?)" });
        return;
      }
      this.summary = summary;
      this.augmentation = undefined;
      this.panel.title = `Explore: ${basename(summary.root)}`;
      this.post({ type: "summary", summary, canReroll: summary.experiment !== null });
    })();
  }

  private reroll(): void {
    const current = this.augmentation ?? this.summary?.augmentation;
    if (!current || current.slices.length === 0) return;
    void (async () => {
      const seed = Math.floor(Math.random() * 0xffffffff);
      const stdout = await this.run({ seed, files: current.slices.map((s) => s.file) });
      if (stdout === undefined) return;
      const preview = parseJsonOutput<unknown>(stdout, "ich explore --augment-only --json");
      if (!isAugmentationPreview(preview)) {
        this.post({ type: "error", message: "ich explore --augment-only printed a preview this panel cannot read" });
        return;
      }
      this.augmentation = preview;
      this.post({ type: "augmentation", preview });
    })();
  }

  dispose(): void {
    this.engine?.kill();
    for (const d of this.disposables) d.dispose();
  }
}

/** Opens (or reveals) the explorer of a dataset folder or experiment file. */
export function openExplore(context: vscode.ExtensionContext, target: vscode.Uri): vscode.WebviewPanel {
  const existing = open.get(target.fsPath);
  if (existing) {
    existing.panel.reveal();
    return existing.panel;
  }
  const panel = createPanel(context.extensionUri, VIEW_TYPE, "explore", `Explore: ${basename(target.fsPath)}`);
  const explorer = new ExplorePanel(panel, target, context);
  open.set(target.fsPath, explorer);
  panel.onDidDispose(() => {
    explorer.dispose();
    open.delete(target.fsPath);
  });
  return panel;
}

async function pickTarget(clicked: unknown): Promise<vscode.Uri | undefined> {
  if (clicked instanceof vscode.Uri) return clicked;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.fsPath.endsWith(".ich.json")) return active;
  const picked = await vscode.window.showOpenDialog({
    title: "ICH: Explore Dataset — a dataset folder or an experiment file",
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    filters: { "Experiment files": ["json"] },
  });
  return picked?.[0];
}

export function registerExplore(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand("ichLab.exploreDataset", async (clicked?: unknown) => {
      if (!engineAllowed("Explore Dataset")) return;
      const target = await pickTarget(clicked);
      if (target) openExplore(context, target);
    }),
  );
}
