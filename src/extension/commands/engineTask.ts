// Runs a short engine command (eval, predict, lr-find, synth, backend) behind a progress
// notification, logging into an output channel; resolves with its stdout or undefined on failure.
import * as vscode from "vscode";
import { failureReason, startEngine } from "../engine/engineProcess";
import type { EngineInvocation } from "../logic/commandLine";

export interface EngineTaskOptions {
  title: string;
  invocation: EngineInvocation;
  cwd: string;
  output: vscode.OutputChannel;
  cancellable?: boolean;
  /** Exit codes besides 0 that still produced a result (ich predict: 1 = some inputs failed). */
  partialSuccessCodes?: number[];
}

export async function runEngineTask(options: EngineTaskOptions): Promise<string | undefined> {
  const { output, invocation } = options;
  output.appendLine(`$ ${invocation.command} ${invocation.args.join(" ")}`);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: options.title, cancellable: options.cancellable ?? true },
    async (progress, token) => {
      const engine = startEngine(invocation, options.cwd, {
        onEvent: (event) => {
          if (event.type === "log" || event.type === "warning") {
            output.appendLine(event.message);
            progress.report({ message: event.message });
          }
        },
        onLog: (line, stream) => {
          if (stream === "stderr") output.appendLine(line);
        },
      });
      token.onCancellationRequested(() => engine.interrupt());
      const result = await engine.done;
      if (result.code === 0) return result.stdout;
      if (result.code !== null && options.partialSuccessCodes?.includes(result.code) && result.stdout.trim()) {
        void vscode.window.showWarningMessage(`${options.title}: some inputs failed — ${failureReason(result)}`);
        return result.stdout;
      }
      if (token.isCancellationRequested) {
        output.appendLine("cancelled");
        return undefined;
      }
      const reason = failureReason(result);
      output.appendLine(`failed: ${reason}`);
      const choice = await vscode.window.showErrorMessage(`${options.title} failed: ${reason}`, "Open Log");
      if (choice === "Open Log") output.show(true);
      return undefined;
    },
  );
}

let sharedOutput: vscode.OutputChannel | undefined;

/** One "ICH Lab" output channel for the short commands. */
export function ichOutput(context: vscode.ExtensionContext): vscode.OutputChannel {
  if (!sharedOutput) {
    sharedOutput = vscode.window.createOutputChannel("ICH Lab");
    context.subscriptions.push(sharedOutput, { dispose: () => (sharedOutput = undefined) });
  }
  return sharedOutput;
}
