// The extension's settings and the engine context derived from them.
import * as vscode from "vscode";
import { join } from "node:path";
import { type BackendSetting, type EngineContext, resolveNodePath, resolveRunsDirectory } from "./logic/commandLine";

export const SECTION = "ichLab";

export function configuration(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

export function primaryWorkspaceFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

/** Workspace folder of a file, else the first folder. */
export function workspaceFolderFor(uri: vscode.Uri | undefined): vscode.WorkspaceFolder | undefined {
  return (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? primaryWorkspaceFolder();
}

export function runsDirectory(folder: vscode.WorkspaceFolder | undefined = primaryWorkspaceFolder()): string | undefined {
  if (!folder) return undefined;
  return resolveRunsDirectory(configuration().get<string>("runsDirectory"), folder.uri.fsPath);
}

/** Folder that ICH: Set Up GPU Backend installs native TF.js backends into. */
export function nativeModulesDirectory(context: vscode.ExtensionContext): string {
  return join(context.globalStorageUri.fsPath, "native-backend");
}

export function engineContext(context: vscode.ExtensionContext): EngineContext {
  const config = configuration();
  return {
    nodePath: resolveNodePath(config.get<string>("nodePath"), process.execPath, process.versions),
    cliPath: join(context.extensionPath, "dist", "cli.js"),
    backend: config.get<BackendSetting>("backend") ?? "auto",
    nativeModulesDir: nativeModulesDirectory(context),
  };
}
