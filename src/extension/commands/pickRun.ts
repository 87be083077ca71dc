// Resolves the run(s) a command acts on: from the Runs view (clicked item + selection) or a quick pick.
import * as vscode from "vscode";
import type { RunRecord, RunStatus } from "../../core/runs/types";
import { runDescription } from "../logic/runTree";
import { RunItem, type RunsTreeProvider } from "../runsview/runsView";

export interface PickedRun {
  record: RunRecord;
  runDir: string;
}

/** Tree commands receive (clicked, selected[]); palette commands receive nothing. */
export function runsFromArguments(clicked: unknown, selected: unknown): PickedRun[] {
  const items = Array.isArray(selected) && selected.length > 0 ? selected : clicked ? [clicked] : [];
  return items.filter((item): item is RunItem => item instanceof RunItem).map((item) => ({ record: item.record, runDir: item.runDir }));
}

export async function pickRuns(
  provider: RunsTreeProvider,
  options: { title: string; statuses?: RunStatus[]; canPickMany?: boolean },
): Promise<PickedRun[]> {
  await provider.reloadNow();
  const runs = provider.runs.filter((r) => !options.statuses || options.statuses.includes(r.record.status));
  if (runs.length === 0) {
    const which = options.statuses ? `${options.statuses.join("/")} ` : "";
    void vscode.window.showInformationMessage(`ICH: No ${which}runs in ${provider.runsRoot ?? "the runs directory"}.`);
    return [];
  }
  const items = runs
    .sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt))
    .map((run) => ({ label: run.record.name || run.record.id, description: run.record.id, detail: `${run.record.architecture} · ${runDescription(run.record)}`, run }));
  if (options.canPickMany) {
    const picked = await vscode.window.showQuickPick(items, { title: options.title, canPickMany: true, matchOnDescription: true });
    return picked?.map((p) => p.run) ?? [];
  }
  const picked = await vscode.window.showQuickPick(items, { title: options.title, matchOnDescription: true, matchOnDetail: true });
  return picked ? [picked.run] : [];
}
