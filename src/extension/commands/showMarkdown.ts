// Shows generated Markdown as a rendered preview only: written to the extension's storage, so no
// dirty untitled editor is left behind.
import * as vscode from "vscode";

export async function showMarkdownPreview(context: vscode.ExtensionContext, fileName: string, markdown: string): Promise<void> {
  const dir = vscode.Uri.joinPath(context.globalStorageUri, "reports");
  await vscode.workspace.fs.createDirectory(dir);
  const uri = vscode.Uri.joinPath(dir, fileName);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(markdown));
  await vscode.commands.executeCommand("markdown.showPreview", uri);
}
