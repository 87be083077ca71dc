// Registers the DICOM preview custom editor. extension.ts calls registerDicomPreview(context).
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import * as vscode from "vscode";
import type { ActiveModel, ActiveRun } from "../commands/activeModel";
import { VIEW_TYPES } from "../ids";
import { gradcamInvocation, predictInvocation } from "../logic/commandLine";
import { engineContext, primaryWorkspaceFolder } from "../settings";
import { RESTRICTED_PREVIEW_MESSAGE } from "../trust";
import { DecoderProcess } from "./decoder-process";
import { Predictor } from "./predictions";
import { DicomPreviewProvider } from "./provider";

/** The run's decision threshold (config.threshold in run.json), 0.5 when the run does not set one. */
async function runThreshold(run: ActiveRun): Promise<number> {
  try {
    const record = JSON.parse(await readFile(join(run.runDir, "run.json"), "utf8")) as { config?: { threshold?: unknown; eval?: { threshold?: unknown } } };
    const t = record.config?.threshold ?? record.config?.eval?.threshold;
    if (typeof t === "number" && t > 0 && t < 1) return t;
  } catch {
    // no readable run.json: the default threshold
  }
  return 0.5;
}

export function registerDicomPreview(context: vscode.ExtensionContext, activeModel: ActiveModel): vscode.Disposable {
  const output = vscode.window.createOutputChannel("ICH Lab Preview");
  const predictor = new Predictor({
    predictInvocation: (runDir, files) => predictInvocation(engineContext(context), runDir, files),
    gradcamInvocation: (runDir, file, label) => gradcamInvocation(engineContext(context), runDir, file, label),
    cwd: () => primaryWorkspaceFolder()?.uri.fsPath,
    storageDir: context.globalStorageUri.fsPath,
    log: (line) => output.appendLine(line),
  });
  // Performance marks as JSON lines in the extension's log folder, where the e2e suite reads them.
  const perfLog = join(context.logUri.fsPath, "preview-perf.jsonl");
  const perf = (record: object) => {
    void mkdir(context.logUri.fsPath, { recursive: true })
      .then(() => appendFile(perfLog, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`))
      .catch(() => undefined);
  };
  // DICOM files are read and decoded in a child process, never on the extension host thread.
  const decoder = new DecoderProcess({ log: (line) => output.appendLine(line) });
  decoder.warm();
  const provider = new DicomPreviewProvider(context.extensionUri, {
    output,
    decoder,
    predictor,
    activeModel: () => activeModel.run(),
    threshold: runThreshold,
    perf,
    engineBlocked: () => (vscode.workspace.isTrusted ? undefined : RESTRICTED_PREVIEW_MESSAGE),
  });
  const registration = vscode.window.registerCustomEditorProvider(VIEW_TYPES.dicomPreview, provider, {
    webviewOptions: { retainContextWhenHidden: false },
    supportsMultipleEditorsPerDocument: true,
  });
  // A new model, or trusting the workspace (predictions turn on), reaches the open previews without a reload.
  const modelWatch = activeModel.onDidChange(() => provider.modelChanged());
  const disposable = vscode.Disposable.from(registration, modelWatch, { dispose: () => decoder.dispose() }, output);
  context.subscriptions.push(disposable);
  return disposable;
}
