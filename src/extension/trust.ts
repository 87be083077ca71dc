// Workspace trust. In Restricted Mode the extension is a viewer: the DICOM preview, the Runs view
// and the panels work, and no engine process starts (a workspace could otherwise choose the model
// and inputs the engine runs on). Commands that run the engine are hidden there by
// `isWorkspaceTrusted` in package.json and refuse here; engine/launch.ts refuses as the last line.
import * as vscode from "vscode";
import { setLaunchPolicy } from "./engine/launch";

export const RESTRICTED_PREVIEW_MESSAGE = "Predictions are off in Restricted Mode — trust this workspace to run the model.";

/** Points the process launcher at VS Code's trust state and workspace folders. */
export function registerWorkspaceTrust(): void {
  setLaunchPolicy({
    isTrusted: () => vscode.workspace.isTrusted,
    workspaceFolders: () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath),
  });
}

/** True in a trusted workspace; else says why `action` (a command title) does not run and returns false. */
export function engineAllowed(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(`ICH: ${action} runs the engine, which is off in Restricted Mode. Trust this workspace to use it.`, "Manage Workspace Trust")
    .then((choice) => choice && vscode.commands.executeCommand("workbench.trust.manage"));
  return false;
}
