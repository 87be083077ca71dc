// Hooks the panels into the commands that open them (Runs view actions, ICH: Predict, ICH: Explore Dataset).
import { basename } from "node:path";
import * as vscode from "vscode";
import { setTriagePanel } from "../commands/predict";
import { setRunPanels } from "../commands/runActions";
import { parseJsonOutput } from "../logic/jsonLines";
import { openCompare } from "./compare";
import { openDashboard } from "./dashboard";
import { registerExplore } from "./explore";
import { buildTriage, parsePredictOutput } from "./logic/triage";
import { openTriage } from "./triage";

export { openCompare, openDashboard, openTriage };

/** Shows `ich predict --json` output (stdout) for a folder prediction as a triage table. */
export function openTriageFromPredict(context: vscode.ExtensionContext, stdout: string, csvPath: string, model: string): vscode.WebviewPanel {
  const output = parsePredictOutput(parseJsonOutput<unknown>(stdout, "ich predict --json"));
  return openTriage(context, buildTriage(output, csvPath, model));
}

export function registerPanels(context: vscode.ExtensionContext): void {
  registerExplore(context);
  setRunPanels({
    openDashboard: (runDir) => openDashboard(context, runDir),
    openCompare: (runDirs) => openCompare(context, runDirs),
  });
  setTriagePanel((csvPath, _inputs, stdout, model) => openTriageFromPredict(context, stdout, csvPath, basename(model)));
}
