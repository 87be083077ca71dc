// ICH: Explore Dataset — a folder or an experiment file summarised by the engine
// (`ich explore --json`, run in its own process like every engine command): counts, prevalence,
// co-occurrence, header histograms, sample slices (click: DICOM preview), the cleaning report and
// the augmentation preview with a re-roll. Research tool, not for diagnosis.
import { basename } from "node:path";
import * as vscode from "vscode";
import { readAugmentationOutput, readExploreOutput } from "../../protocol/engine-output";
import { parseExploreFromWebview, parseExploreState, type AugmentationPreview, type ExploreFromWebview, type ExploreState, type ExploreSummary, type ExploreToWebview } from "../../protocol/explore";
import { errorMessage } from "../../shared/errors";
import { ichOutput } from "../commands/engineTask";
import { failureReason, startEngine, stopEngine, type EngineProcess } from "../engine/engineProcess";
import { VIEW_TYPES } from "../ids";
import { registerCommand } from "../registerCommand";
import { exploreInvocation } from "../logic/commandLine";
import { engineContext, workspaceFolderFor } from "../settings";
import { engineAllowed } from "../trust";
import { WebviewPanelBase, type PanelKind } from "./webviewPanel";

export const EXPLORE: PanelKind<ExploreState, ExploreFromWebview> = {
  name: "explore",
  viewType: VIEW_TYPES.explore,
  parseFromWebview: parseExploreFromWebview,
  parseState: parseExploreState,
};

export class ExplorePanel extends WebviewPanelBase<ExploreState, ExploreToWebview, ExploreFromWebview> {
  private summary: ExploreSummary | undefined;
  private augmentation: AugmentationPreview | undefined;
  private engine: EngineProcess | undefined;
  /** The last failure, re-sent on `ready`: the engine can fail before the webview has loaded. */
  private failure: string | undefined;
  readonly target: vscode.Uri;

  constructor(
    panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    state: ExploreState,
  ) {
    super(panel, context.extensionUri, EXPLORE, state);
    this.target = vscode.Uri.file(state.target);
    this.register({ dispose: () => this.stopEngine() });
    this.explore();
  }

  protected received(message: ExploreFromWebview): void {
    if (message.type === "ready") {
      if (this.summary) this.post({ type: "summary", summary: this.summary, canReroll: this.summary.experiment !== null });
      if (this.augmentation) this.post({ type: "augmentation", preview: this.augmentation });
      if (this.failure) this.post({ type: "error", message: this.failure });
    } else if (message.type === "openSlice") {
      // Only slices this summary shows can be opened from the webview.
      if (!this.shownFiles().has(message.file)) return;
      void vscode.commands.executeCommand("vscode.openWith", vscode.Uri.file(message.file), VIEW_TYPES.dicomPreview, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    } else if (message.type === "reroll") {
      this.reroll();
    } else if (message.type === "refresh") {
      this.explore();
    }
  }

  /** Refresh, re-roll and close interrupt a running engine; an index in progress keeps its cache. */
  private stopEngine(): void {
    if (this.engine) stopEngine(this.engine);
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
    this.stopEngine();
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
      this.fail(errorMessage(error));
      return undefined;
    }
    this.engine = engine;
    const result = await engine.done;
    if (this.engine !== engine || this.isDisposed) return undefined; // superseded by a newer run, or closed
    this.engine = undefined;
    if (result.code === 0) return result.stdout;
    const reason = failureReason(result);
    output.appendLine(`ich explore failed: ${reason}`);
    this.fail(`ich explore failed: ${reason}`);
    return undefined;
  }

  private fail(message: string): void {
    this.failure = message;
    this.post({ type: "error", message });
  }

  private explore(): void {
    void (async () => {
      this.failure = undefined;
      this.post({ type: "progress", message: "Indexing…" });
      const stdout = await this.run(undefined);
      if (stdout === undefined) return;
      let summary: ExploreSummary;
      try {
        summary = readExploreOutput(stdout);
      } catch (error) {
        this.fail(errorMessage(error));
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
      let preview: AugmentationPreview;
      try {
        preview = readAugmentationOutput(stdout);
      } catch (error) {
        this.fail(errorMessage(error));
        return;
      }
      this.augmentation = preview;
      this.post({ type: "augmentation", preview });
    })();
  }
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

export function registerExplore(context: vscode.ExtensionContext, open: (target: vscode.Uri) => unknown): void {
  context.subscriptions.push(
    registerCommand("ichLab.exploreDataset", async (clicked?: unknown) => {
      if (!engineAllowed("Explore Dataset")) return;
      const target = await pickTarget(clicked);
      if (target) open(target);
    }),
  );
}
