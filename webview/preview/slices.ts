// Showing a slice and moving through the series: adopts a decoded slice into the state, asks the
// extension for slices not cached here (and prefetches the neighbours), reports paint timings.
import type { SliceMessage } from "../../src/protocol/preview";
import { post } from "./channel";
import { ui } from "./layout";
import { makeWindow, PRESETS } from "./render";
import { renderImage, renderTags, resizeCanvas, setWindowSilently, updatePredictionPanel, updateSeriesControls } from "./rendering";
import { requestHeat } from "./heat";
import { PREFETCH_REACH, sliceCache, state, tagsByFile, type Shown } from "./state";

/** The "File W/L" preset button; hidden when the slice names no window. */
export const fileWindowButton = document.createElement("vscode-button");

export function showSlice(message: SliceMessage): void {
  const receivedAt = performance.now();
  const shown: Shown = { message };
  if (message.pixelType === "rgba8") shown.rgba = new Uint8Array(message.pixels);
  else shown.hu = message.pixelType === "int16" ? new Int16Array(message.pixels) : new Float32Array(message.pixels);
  const sizeChanged = state.shown?.message.width !== message.width || state.shown?.message.height !== message.height;
  state.shown = shown;
  state.index = message.index;
  state.total = message.total;
  state.frame = message.frame;
  const { windowWidth, windowCenter } = message;
  const fileWindow = windowWidth !== undefined && windowCenter !== undefined && windowWidth >= 1 ? makeWindow(windowWidth, windowCenter) : undefined;
  const firstSlice = !state.firstPaintDone;
  state.fileWindow = fileWindow;
  fileWindowButton.hidden = !fileWindow;
  if (fileWindowButton.hidden === false && fileWindow) fileWindowButton.textContent = `File ${fileWindow.width}/${fileWindow.level}`;
  if (firstSlice) {
    // CT opens in the brain window (the model's first channel); other modalities in their own window.
    const isCt = message.pixelType !== "rgba8" && (message.windowCenter === undefined || Math.abs(message.windowCenter) < 400);
    setWindowSilently(isCt ? PRESETS[0].window : (fileWindow ?? PRESETS[0].window));
  }
  if (sizeChanged) state.view = undefined;
  ui.error.hidden = true;
  ui.canvas.hidden = false;
  ui.error.textContent = "";
  resizeCanvas();
  updateSeriesControls();
  ui.frameBox.hidden = message.frames <= 1;
  ui.frameSlider.max = String(message.frames - 1);
  ui.frameSlider.value = String(message.frame);
  ui.frameLabel.textContent = `${message.frame + 1} / ${message.frames}`;
  ui.title.textContent = message.fileName;
  const tags = tagsByFile.get(message.fileName);
  if (tags && tags !== state.tags) {
    state.tags = tags;
    renderTags();
  }
  document.title = `${message.fileName} — slice ${message.index + 1} / ${message.total}`;
  renderImage();
  if (ui.heatToggle.checked) requestHeat();
  updatePredictionPanel();
  const now = performance.now();
  if (firstSlice) {
    state.firstPaintDone = true;
    post({ type: "perf", name: "first-paint", ms: now });
    post({ type: "perf", name: "first-render", ms: now - receivedAt });
    post({ type: "perf", name: "decode", ms: message.decodeMs });
  } else if (state.pendingSince !== undefined) {
    post({ type: "perf", name: "slice-switch", ms: now - state.pendingSince });
  }
  state.pendingSince = undefined;
}

export function prefetchAround(index: number): void {
  const wanted = sliceCache.missingAround(index, state.total, PREFETCH_REACH);
  if (wanted.length > 0) post({ type: "prefetch", indices: wanted });
}

export function goTo(index: number, frame = 0): void {
  const clamped = Math.max(0, Math.min(state.total - 1, index));
  if (clamped === state.index && frame === state.frame && state.shown) return;
  state.pendingSince = performance.now();
  state.index = clamped;
  state.frame = frame;
  updateSeriesControls();
  const hit = sliceCache.get(clamped, frame);
  if (hit) showSlice(hit);
  else post({ type: "requestSlice", index: clamped, frame });
  prefetchAround(clamped);
}
