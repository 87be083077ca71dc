// vscode.commands.registerCommand for the extension's own commands: the id must be one of
// package.json's (src/extension/ids.ts).
import * as vscode from "vscode";
import type { CommandId } from "./ids";

export function registerCommand(id: CommandId, handler: (...args: never[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown);
}

/** Runs one of the extension's own commands. */
export function executeCommand(id: CommandId, ...args: unknown[]): Thenable<unknown> {
  return vscode.commands.executeCommand(id, ...args);
}
