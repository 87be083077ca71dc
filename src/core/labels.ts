// The label list lives in src/shared/labels.ts (browser-safe: the webviews use it too); this is
// the engine's import path for it.
export * from "../shared/labels";
