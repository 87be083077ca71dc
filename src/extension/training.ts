// Training runs started from this window: one engine process, output channel and progress
// notification per run; several may run at once.
import * as vscode from "vscode";
import { basename } from "node:path";
import { failureReason, startEngine, type EngineProcess } from "./engine/engineProcess";
import { trainInvocation } from "./logic/commandLine";
import { applyProgressEvent, formatProgressMessage, initialProgressState, progressFraction, type TrainingProgressState } from "./logic/progress";
import { engineContext, runsDirectory, workspaceFolderFor } from "./settings";

/** Mean AUC as text: JSON turns an undefined one (every validation label had one class) into null. */
const auc = (value: number | null): string => (typeof value === "number" && Number.isFinite(value) ? value.toFixed(3) : "n/a");

export interface ActiveTraining {
  experimentPath: string;
  runId?: string;
  process: EngineProcess;
  output: vscode.OutputChannel;
  state: TrainingProgressState;
}

export class TrainingManager implements vscode.Disposable {
  private readonly active = new Set<ActiveTraining>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly context: vscode.ExtensionContext) {}

  /** The active training of a run id, if it was started from this window and is still going. */
  find(runId: string): ActiveTraining | undefined {
    for (const training of this.active) if (training.runId === runId) return training;
    return undefined;
  }

  get running(): ActiveTraining[] {
    return [...this.active];
  }

  /** Starts training and resolves when it has ended (the notification stays up meanwhile). */
  async train(experiment: vscode.Uri): Promise<void> {
    const folder = workspaceFolderFor(experiment);
    const runsDir = runsDirectory(folder);
    if (!folder || !runsDir) {
      void vscode.window.showErrorMessage("ICH: Train needs an open workspace folder (runs are stored in it).");
      return;
    }
    const name = basename(experiment.fsPath).replace(/\.ich\.json$/i, "");
    const output = vscode.window.createOutputChannel(`ICH Train: ${name}`);
    this.context.subscriptions.push(output);
    const invocation = trainInvocation(engineContext(this.context), experiment.fsPath, runsDir);
    output.appendLine(`$ ${invocation.command} ${invocation.args.join(" ")}`);

    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `ICH: Training ${name}`, cancellable: true },
      async (progress, token) => {
        let reported = 0;
        progress.report({ message: "starting the engine process…" });
        const training: ActiveTraining = {
          experimentPath: experiment.fsPath,
          output,
          state: initialProgressState(),
          process: startEngine(invocation, folder.uri.fsPath, {
            onEvent: (event) => {
              training.state = applyProgressEvent(training.state, event);
              if (event.type === "run-started") {
                training.runId = event.runId;
                output.appendLine(`run ${event.runId} in ${event.runDir} — ${event.epochs} epochs × ${event.stepsPerEpoch} steps on ${event.backend} (${event.device})`);
                this.changed.fire();
              } else if (event.type === "epoch") {
                const val = event.val ? ` · val loss ${event.val.loss.toFixed(4)} · wLL ${event.val.weightedLogLoss.toFixed(4)} · AUC ${auc(event.val.meanAuc)}` : "";
                output.appendLine(`epoch ${event.epoch}/${event.epochs} · train loss ${event.trainLoss.toFixed(4)}${val}`);
              } else if (event.type === "warning") {
                output.appendLine(`warning: ${event.message}`);
              } else if (event.type === "log") {
                output.appendLine(event.message);
              } else if (event.type === "checkpoint") {
                output.appendLine(`checkpoint (epoch ${event.epoch}): ${event.path}`);
              } else if (event.type === "run-ended") {
                output.appendLine(`run ${event.runId} ${event.status}${event.error ? `: ${event.error}` : ""}`);
              }
              const fraction = progressFraction(training.state) * 100;
              progress.report({ message: formatProgressMessage(training.state), increment: Math.max(0, fraction - reported) });
              reported = Math.max(reported, fraction);
            },
            onLog: (line) => output.appendLine(line),
          }),
        };
        this.active.add(training);
        this.changed.fire();
        token.onCancellationRequested(() => {
          output.appendLine("cancel requested: sending SIGINT (the engine marks the run cancelled)");
          training.process.interrupt();
        });
        try {
          const result = await training.process.done;
          const ended = training.state.ended;
          const runLabel = training.runId ?? name;
          if (ended?.status === "completed" && result.code === 0) {
            void vscode.window.showInformationMessage(`ICH: Run ${runLabel} completed${this.bestText(training.state)}.`);
          } else if (ended?.status === "cancelled" || token.isCancellationRequested) {
            void vscode.window.showWarningMessage(`ICH: Run ${runLabel} cancelled.`);
          } else {
            const reason = ended?.error ?? failureReason(result);
            output.appendLine(`failed: ${reason}`);
            const choice = await vscode.window.showErrorMessage(`ICH: Training ${name} failed: ${reason}`, "Open Log");
            if (choice === "Open Log") output.show(true);
          }
        } finally {
          this.active.delete(training);
          this.changed.fire();
        }
      },
    );
  }

  private bestText(state: TrainingProgressState): string {
    const v = state.lastValidation;
    return v ? ` — weighted log loss ${v.weightedLogLoss.toFixed(4)}, mean AUC ${auc(v.meanAuc)}` : "";
  }

  dispose(): void {
    for (const training of this.active) training.process.interrupt();
    this.changed.dispose();
  }
}
