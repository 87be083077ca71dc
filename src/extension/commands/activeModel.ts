// The active model (a completed run) used by ICH: Predict and the DICOM preview, and shown in the
// status bar. Its one source is the `ichLab.activeModel` setting (VS Code ignores a workspace
// value in Restricted Mode): clearing the setting clears it everywhere at once.
import * as vscode from "vscode";
import { isAbsolute, join } from "node:path";
import { registerCommand } from "../registerCommand";
import type { RunsTreeProvider } from "../runsview/runsView";
import { configuration, runsDirectory } from "../settings";
import { pickRuns } from "./pickRun";

export interface ActiveRun {
  /** The run id (the folder name for a run given by path). */
  id: string;
  /** Absolute run folder. */
  runDir: string;
}

export class ActiveModel implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("ichLab.activeModel", vscode.StatusBarAlignment.Left, 50);
  private readonly changed = new vscode.EventEmitter<void>();
  /** The setting or the runs directory changed, or the workspace became trusted (its values apply now). */
  readonly onDidChange = this.changed.event;
  private readonly listeners: vscode.Disposable[];

  constructor() {
    this.item.name = "ICH Lab: Active Model";
    this.item.command = "ichLab.selectActiveModel";
    this.listeners = [
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("ichLab.activeModel") || event.affectsConfiguration("ichLab.runsDirectory")) this.update();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()),
    ];
    this.update();
  }

  /** Run id (or run folder path) of the active model, as the setting holds it. */
  get value(): string | undefined {
    return configuration().get<string>("activeModel")?.trim() || undefined;
  }

  /** The active model's run, or null when none is set or no runs directory resolves its id. */
  run(): ActiveRun | null {
    const value = this.value;
    if (!value) return null;
    if (isAbsolute(value)) return { id: value.split(/[\\/]/).pop() || value, runDir: value };
    const root = runsDirectory();
    return root ? { id: value, runDir: join(root, value) } : null;
  }

  async set(runId: string): Promise<void> {
    // Restricted Mode ignores a workspace value of this setting: the choice goes to the user settings there.
    const target = vscode.workspace.workspaceFolders && vscode.workspace.isTrusted ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await configuration().update("activeModel", runId, target);
  }

  private update(): void {
    const value = this.value;
    this.item.text = `$(hubot) ICH: ${value ? value.split(/[\\/]/).pop() : "no model"}`;
    this.item.tooltip = value ? `Active model for ICH: Predict: ${value}\nClick to change. Research tool, not for diagnosis.` : "ICH Lab: click to select the model used by ICH: Predict";
    this.item.show();
    this.changed.fire();
  }

  dispose(): void {
    this.item.dispose();
    this.changed.dispose();
    for (const listener of this.listeners) listener.dispose();
  }
}

export function registerActiveModel(context: vscode.ExtensionContext, provider: RunsTreeProvider, activeModel: ActiveModel): void {
  context.subscriptions.push(
    registerCommand("ichLab.selectActiveModel", async () => {
      const [run] = await pickRuns(provider, { title: "ICH: Select Active Model — completed runs", statuses: ["completed"] });
      if (!run) return;
      await activeModel.set(run.record.id);
      void vscode.window.showInformationMessage(`ICH: Active model is now ${run.record.id} (${run.record.architecture}).`);
    }),
  );
}
