// The display windows live in src/shared/window.ts (browser-safe: the preview webview draws with
// them); this is the engine's import path for them.
export * from "../../shared/window";
