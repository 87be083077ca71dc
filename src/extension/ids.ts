// Every id the extension shares with package.json: commands, the Runs view, the custom editor and
// the panels' view types. Defined once here; test/extension/manifest.test.ts checks that they are
// exactly package.json's contributions. No vscode import (the test reads it with plain Node).
export const COMMAND_IDS = [
  "ichLab.train",
  "ichLab.evaluateRun",
  "ichLab.findLearningRate",
  "ichLab.exploreDataset",
  "ichLab.newExperiment",
  "ichLab.generateDemoDataset",
  "ichLab.selectActiveModel",
  "ichLab.predict",
  "ichLab.setUpGpuBackend",
  "ichLab.showBackendInfo",
  "ichLab.openDashboard",
  "ichLab.compareRuns",
  "ichLab.cancelRun",
  "ichLab.revealRun",
  "ichLab.deleteRun",
  "ichLab.refreshRuns",
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

export const RUNS_VIEW_ID = "ichLab.runs";

/** View types of the custom editor and of the webview panels (each panel has a serializer). */
export const VIEW_TYPES = {
  dicomPreview: "ichLab.dicomPreview",
  dashboard: "ichLab.dashboard",
  compare: "ichLab.compare",
  triage: "ichLab.triage",
  explore: "ichLab.explore",
} as const;

/** The panels VS Code restores after a window reload (`onWebviewPanel:<viewType>` activation events). */
export const PANEL_VIEW_TYPES = [VIEW_TYPES.dashboard, VIEW_TYPES.compare, VIEW_TYPES.triage, VIEW_TYPES.explore] as const;
