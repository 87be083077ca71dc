// Registers the DICOM preview custom editor. extension.ts calls registerDicomPreview(context).
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import * as vscode from "vscode";
import { configuration, engineContext, primaryWorkspaceFolder, runsDirectory } from "../settings";
import { RESTRICTED_PREVIEW_MESSAGE } from "../trust";
import { DecoderProcess } from "./decoder-process";
import { Predictor } from "./predictions";
import { DicomPreviewProvider, PREVIEW_VIEW_TYPE } from "./provider";
import type { ActiveRun } from "./session";

export { PREVIEW_VIEW_TYPE } from "./provider";

/** The `ichLab.activeModel` setting (shared with ICH: Predict) as a run folder, or null. */
function activeModel(): ActiveRun | null {
  const value = configuration().get<string>("activeModel")?.trim();
  if (!value) return null;
  if (isAbsolute(value)) return { id: value.split(/[\\/]/).pop() || value, runDir: value };
  const root = runsDirectory();
  return root ? { id: value, runDir: join(root, value) } : null;
}

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

export function registerDicomPreview(context: vscode.ExtensionContext): vscode.Disposable {
  const output = vscode.window.createOutputChannel("ICH Lab Preview");
  const predictor = new Predictor({
    invocation: (args) => {
      const engine = engineContext(context);
      const env: Record<string, string> = { ICH_BACKEND: engine.backend };
      if (engine.nativeModulesDir) {
        env.ICH_NATIVE_MODULES = engine.nativeModulesDir;
        env.NODE_PATH = join(engine.nativeModulesDir, "node_modules");
      }
      return { command: engine.nodePath, args: [engine.cliPath, ...args], env };
    },
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
    activeModel,
    threshold: runThreshold,
    perf,
    engineBlocked: () => (vscode.workspace.isTrusted ? undefined : RESTRICTED_PREVIEW_MESSAGE),
  });
  const registration = vscode.window.registerCustomEditorProvider(PREVIEW_VIEW_TYPE, provider, {
    webviewOptions: { retainContextWhenHidden: false },
    supportsMultipleEditorsPerDocument: true,
  });
  const configWatch = vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration("ichLab.activeModel") || event.affectsConfiguration("ichLab.runsDirectory")) provider.modelChanged();
  });
  // Trusting the workspace turns predictions on in the open previews, without a reload.
  const trustWatch = vscode.workspace.onDidGrantWorkspaceTrust(() => provider.modelChanged());
  const disposable = vscode.Disposable.from(registration, configWatch, trustWatch, { dispose: () => decoder.dispose() }, output);
  context.subscriptions.push(disposable);
  return disposable;
}
