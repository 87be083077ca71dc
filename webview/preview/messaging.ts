// Messages from the extension: slices (shown, or cached when they were prefetched or arrive
// late), tags, the ordered series, decode errors, the active model, predictions and Grad-CAM.
import type { ToWebview } from "../../src/protocol/preview";
import { connect, post } from "./channel";
import { acceptHeat } from "./heat";
import { ui } from "./layout";
import { draw, renderTags, updatePredictionPanel, updateSeriesControls, updateStatus, updateStrip } from "./rendering";
import { prefetchAround, showSlice } from "./slices";
import { CLIENT_CACHE, sliceCache, state, tagsByFile } from "./state";

function received(message: ToWebview): void {
  switch (message.type) {
    case "slice":
      sliceCache.put(message);
      // Prefetched neighbours and late answers for slices the user scrolled past are only cached.
      if (message.index === state.index && message.frame === state.frame && state.pendingSince !== undefined) showSlice(message);
      else if (!state.shown) showSlice(message);
      break;
    case "tags":
      tagsByFile.set(message.file, message.tags);
      if (tagsByFile.size > CLIENT_CACHE) tagsByFile.delete(tagsByFile.keys().next().value as string);
      if (message.file === state.shown?.message.fileName || !state.shown) {
        state.tags = message.tags;
        renderTags();
      }
      break;
    case "series":
      // Indices change meaning once the folder is ordered.
      sliceCache.clear();
      if (state.shown) {
        state.shown.message.index = message.index;
        sliceCache.put(state.shown.message);
      }
      state.series = message.entries;
      state.total = Math.max(1, message.entries.length);
      if (state.pendingSince === undefined) {
        // The opened file was shown as "1 / 1" before the folder was indexed: adopt its real place.
        state.index = message.index;
        if (state.shown) {
          state.shown.message.index = message.index;
          state.shown.message.total = state.total;
        }
      }
      ui.seriesStatus.textContent = message.complete ? "" : "indexing series…";
      if (message.complete) prefetchAround(state.index);
      updateSeriesControls();
      updateStrip();
      updateStatus();
      break;
    case "error":
      ui.error.textContent = `Cannot show ${message.file}: ${message.message}`;
      ui.error.hidden = false;
      if (!state.shown || state.pendingSince !== undefined) ui.canvas.hidden = true;
      state.pendingSince = undefined;
      updatePredictionPanel();
      break;
    case "model":
      state.runId = message.runId;
      state.threshold = message.threshold;
      state.predictions.clear();
      state.heat = undefined;
      ui.banner.hidden = message.runId !== null;
      ui.heatControls.hidden = message.runId === null;
      ui.modelName.textContent = message.runId ? `Model: ${message.runId}` : "No active model";
      updatePredictionPanel();
      updateStrip();
      draw();
      break;
    case "predictions":
      if (message.runId !== state.runId) break;
      for (const entry of message.entries) state.predictions.set(entry.index, entry.probabilities);
      updatePredictionPanel();
      updateStrip();
      break;
    case "predictionStatus":
      ui.predStatus.textContent = message.message;
      ui.predStatus.className = `pred-status ${message.state}`;
      break;
    case "gradcam":
      acceptHeat(message);
      break;
  }
}

/** Listens to the extension, then tells it the page is ready for the first slice. */
export function startMessaging(): void {
  connect(received);
  post({ type: "ready" });
  post({ type: "perf", name: "webview-ready", ms: performance.now() });
}
