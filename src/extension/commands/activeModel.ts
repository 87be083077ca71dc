// The active model (a completed run) used by ICH: Predict; shown in the status bar.
import * as vscode from "vscode";
import { isAbsolute, join } from "node:path";
import type { RunsTreeProvider } from "../runsview/runsView";
import { configuration, runsDirectory } from "../settings";
import { pickRuns } from "./pickRun";

const STATE_KEY = "ichLab.activeModel";

export class ActiveModel implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("ichLab.activeModel", vscode.StatusBarAlignment.Left, 50);
  private readonly listener: vscode.Disposable;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.item.name = "ICH Lab: Active Model";
    this.item.command = "ichLab.selectActiveModel";
    this.listener = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("ichLab.activeModel")) this.update();
    });
    this.update();
  }

  /** Run id (or run folder path) of the active model, from the setting, else workspace state. */
  get value(): string | undefined {
    const setting = configuration().get<string>("activeModel");
    return setting && setting.trim() ? setting.trim() : this.context.workspaceState.get<string>(STATE_KEY);
  }

  /** Absolute folder of the active model's run. */
  get runDir(): string | undefined {
    const value = this.value;
    if (!value) return undefined;
    if (isAbsolute(value)) return value;
    const root = runsDirectory();
    return root ? join(root, value) : undefined;
  }

  async set(runId: string): Promise<void> {
    await this.context.workspaceState.update(STATE_KEY, runId);
    const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await configuration().update("activeModel", runId, target);
    this.update();
  }

  private update(): void {
    const value = this.value;
    this.item.text = `$(hubot) ICH: ${value ? value.split(/[\\/]/).pop() : "no model"}`;
    this.item.tooltip = value ? `Active model for ICH: Predict: ${value}\nClick to change. Research tool, not for diagnosis.` : "ICH Lab: click to select the model used by ICH: Predict";
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
    this.listener.dispose();
  }
}

export function registerActiveModel(context: vscode.ExtensionContext, provider: RunsTreeProvider, activeModel: ActiveModel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand("ichLab.selectActiveModel", async () => {
      const [run] = await pickRuns(provider, { title: "ICH: Select Active Model — completed runs", statuses: ["completed"] });
      if (!run) return;
      await activeModel.set(run.record.id);
      void vscode.window.showInformationMessage(`ICH: Active model is now ${run.record.id} (${run.record.architecture}).`);
    }),
  );
}
