// DICOM preview webview: windowing on a canvas, zoom/pan, series navigation, predictions on hover.
import "./elements";
import { LABELS } from "../../src/shared/labels";
import { parseToWebview, type FromWebview, type GradcamMessage, type SeriesEntry, type SliceMessage, type TagRow } from "../../src/protocol/preview";
import { hoverAt, type HeatGrid } from "./hover";
import { PRESETS, colourToRgba, heatToRgba, huToRgba, makeWindow, modelViewToRgba, type HuArray, type Window } from "./render";
import { ClientSliceCache } from "./slice-cache";
import { transferSyntaxName } from "./syntax";
import { dragWindow, fitView, panBy, zoomAt, type View } from "./viewport";

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };
const vscode = acquireVsCodeApi();
const post = (message: FromWebview) => vscode.postMessage(message);

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`preview: missing element #${id}`);
  return element as T;
}
type ValueElement = HTMLElement & { value: string };
type CheckElement = HTMLElement & { checked: boolean };

const canvas = $<HTMLCanvasElement>("canvas");
const context = canvas.getContext("2d") as CanvasRenderingContext2D;
const viewport = $("viewport");
const tooltip = $("tooltip");
const errorBox = $("error");
const statusLine = $("status");
const sliceCounter = $("slice-counter");
const sliceSlider = $<HTMLInputElement>("slice-slider");
const frameBox = $("frame-box");
const frameSlider = $<HTMLInputElement>("frame-slider");
const widthField = $<ValueElement>("ww");
const levelField = $<ValueElement>("wl");
const invertBox = $<CheckElement>("invert");
const modelViewBox = $<CheckElement>("model-view");
const heatBox = $<CheckElement>("heat-toggle");
const heatOpacity = $<HTMLInputElement>("heat-opacity");
const labelSelect = $<ValueElement>("label-select");
const strip = $("strip");
const predBars = $("pred-bars");
const predStatus = $("pred-status");
const banner = $("banner");
const tagSearch = $<ValueElement>("tag-search");
const tagBody = $("tag-body");
const presetBox = $("presets");

const tagsByFile = new Map<string, TagRow[]>();
const imageCanvas = document.createElement("canvas");
const imageContext = imageCanvas.getContext("2d") as CanvasRenderingContext2D;
const heatCanvas = document.createElement("canvas");
const heatContext = heatCanvas.getContext("2d") as CanvasRenderingContext2D;

interface Shown {
  message: SliceMessage;
  hu?: HuArray;
  rgba?: Uint8Array;
}

const state = {
  shown: undefined as Shown | undefined,
  index: 0,
  total: 1,
  frame: 0,
  window: PRESETS[0].window,
  fileWindow: undefined as Window | undefined,
  userInvert: false,
  modelView: false,
  view: undefined as View | undefined,
  runId: null as string | null,
  threshold: 0.5,
  predictions: new Map<number, (number | null)[]>(),
  series: [] as SeriesEntry[],
  heat: undefined as (HeatGrid & { index: number; label: string }) | undefined,
  label: "any",
  pendingSince: undefined as number | undefined,
  firstPaintDone: false,
  lastHoverReport: 0,
  tags: [] as TagRow[],
};

// ---- toolbar -------------------------------------------------------------------------------
const fileWindowButton = document.createElement("vscode-button");
function buildPresets(): void {
  for (const preset of PRESETS) {
    const button = document.createElement("vscode-button");
    button.setAttribute("secondary", "");
    button.textContent = `${preset.label} ${preset.window.width}/${preset.window.level}`;
    button.title = `Window width ${preset.window.width}, level ${preset.window.level}`;
    button.dataset.preset = preset.id;
    button.addEventListener("click", () => setWindow(preset.window, false));
    presetBox.append(button);
  }
  fileWindowButton.setAttribute("secondary", "");
  fileWindowButton.textContent = "File W/L";
  fileWindowButton.dataset.preset = "file";
  fileWindowButton.hidden = true;
  fileWindowButton.addEventListener("click", () => state.fileWindow && setWindow(state.fileWindow, false));
  presetBox.append(fileWindowButton);
  for (const label of LABELS) {
    const option = document.createElement("vscode-option");
    option.setAttribute("value", label);
    option.textContent = label;
    labelSelect.append(option);
  }
}

function setWindow(window: Window, fromField: boolean): void {
  state.modelView = false;
  modelViewBox.checked = false;
  state.window = makeWindow(window.width, window.level);
  if (!fromField) {
    widthField.value = String(state.window.width);
    levelField.value = String(state.window.level);
  }
  renderImage();
}

function readWindowFields(): void {
  const width = Number(widthField.value);
  const level = Number(levelField.value);
  if (Number.isFinite(width) && width >= 1 && Number.isFinite(level)) setWindow(makeWindow(width, level), true);
}

// ---- rendering -----------------------------------------------------------------------------
function invertNow(): boolean {
  return (state.shown?.message.monochrome1 ?? false) !== state.userInvert;
}

function renderImage(): void {
  const shown = state.shown;
  if (!shown) return;
  const { width, height } = shown.message;
  if (imageCanvas.width !== width || imageCanvas.height !== height) {
    imageCanvas.width = width;
    imageCanvas.height = height;
  }
  const image = imageContext.createImageData(width, height);
  if (shown.rgba) colourToRgba(shown.rgba, state.userInvert, image.data);
  else if (shown.hu && state.modelView) modelViewToRgba(shown.hu, image.data);
  else if (shown.hu) huToRgba(shown.hu, state.window, invertNow(), image.data);
  imageContext.putImageData(image, 0, 0);
  draw();
  updateStatus();
}

function resizeCanvas(): boolean {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(viewport.clientWidth * ratio));
  const height = Math.max(1, Math.round(viewport.clientHeight * ratio));
  if (canvas.width === width && canvas.height === height) return false;
  canvas.width = width;
  canvas.height = height;
  return true;
}

function draw(): void {
  const shown = state.shown;
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (!shown) return;
  if (!state.view) state.view = fitView(shown.message.width, shown.message.height, canvas.width, canvas.height);
  const { scale, offsetX, offsetY } = state.view;
  context.setTransform(scale, 0, 0, scale, offsetX, offsetY);
  context.imageSmoothingEnabled = scale < 1;
  context.drawImage(imageCanvas, 0, 0);
  const heat = state.heat;
  if (heatBox.checked && heat && heat.index === state.index && heat.label === state.label) {
    context.imageSmoothingEnabled = true;
    context.drawImage(heatCanvas, 0, 0, heat.width, heat.height, 0, 0, shown.message.width, shown.message.height);
  }
}

function paintHeat(): void {
  const heat = state.heat;
  if (!heat) return;
  heatCanvas.width = heat.width;
  heatCanvas.height = heat.height;
  const image = heatContext.createImageData(heat.width, heat.height);
  heatToRgba(heat.values, Number(heatOpacity.value) / 100, image.data);
  heatContext.putImageData(image, 0, 0);
}

// ---- slices --------------------------------------------------------------------------------
function showSlice(message: SliceMessage): void {
  const receivedAt = performance.now();
  const shown: Shown = { message };
  if (message.pixelType === "rgba8") shown.rgba = new Uint8Array(message.pixels);
  else shown.hu = message.pixelType === "int16" ? new Int16Array(message.pixels) : new Float32Array(message.pixels);
  const sizeChanged = state.shown?.message.width !== message.width || state.shown?.message.height !== message.height;
  state.shown = shown;
  state.index = message.index;
  state.total = message.total;
  state.frame = message.frame;
  const fileWindow = message.windowWidth !== undefined && message.windowCenter !== undefined && message.windowWidth >= 1 ? makeWindow(message.windowWidth, message.windowCenter) : undefined;
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
  errorBox.hidden = true;
  canvas.hidden = false;
  errorBox.textContent = "";
  resizeCanvas();
  updateSeriesControls();
  frameBox.hidden = message.frames <= 1;
  frameSlider.max = String(message.frames - 1);
  frameSlider.value = String(message.frame);
  $("frame-label").textContent = `${message.frame + 1} / ${message.frames}`;
  $("title").textContent = message.fileName;
  const tags = tagsByFile.get(message.fileName);
  if (tags && tags !== state.tags) {
    state.tags = tags;
    renderTags();
  }
  document.title = `${message.fileName} — slice ${message.index + 1} / ${message.total}`;
  renderImage();
  if (heatBox.checked) requestHeat();
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

function setWindowSilently(window: Window): void {
  state.window = window;
  widthField.value = String(window.width);
  levelField.value = String(window.level);
}

const CLIENT_CACHE = 40;
const PREFETCH_REACH = 4;
const sliceCache = new ClientSliceCache(CLIENT_CACHE);

function prefetchAround(index: number): void {
  const wanted = sliceCache.missingAround(index, state.total, PREFETCH_REACH);
  if (wanted.length > 0) post({ type: "prefetch", indices: wanted });
}

function goTo(index: number, frame = 0): void {
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

function updateSeriesControls(): void {
  sliceCounter.textContent = `slice ${state.index + 1} / ${state.total}`;
  sliceSlider.max = String(Math.max(0, state.total - 1));
  sliceSlider.value = String(state.index);
  sliceSlider.disabled = state.total <= 1;
  for (const [i, bar] of [...strip.children].entries()) bar.classList.toggle("current", i === state.index);
}

function updateStatus(hover?: string): void {
  const m = state.shown?.message;
  if (!m) return;
  const parts = [
    hover ?? "—",
    state.shown?.rgba ? "colour" : state.modelView ? "model view (brain/subdural/bone)" : `W ${state.window.width} L ${state.window.level}`,
    `slice ${m.index + 1}/${m.total}`,
    m.position !== undefined ? `pos ${m.position.toFixed(1)} mm` : m.instanceNumber !== undefined ? `instance ${m.instanceNumber}` : "",
    `${m.width}×${m.height}${m.frames > 1 ? ` × ${m.frames} frames` : ""}`,
    transferSyntaxName(m.transferSyntax),
    m.photometric,
  ];
  statusLine.textContent = parts.filter(Boolean).join("  ·  ");
}

// ---- predictions ---------------------------------------------------------------------------
function barRow(label: string, p: number | null | undefined): HTMLElement {
  const row = document.createElement("div");
  row.className = "bar-row";
  const name = document.createElement("span");
  name.className = "bar-label";
  name.textContent = label;
  const track = document.createElement("span");
  track.className = "bar-track";
  const fill = document.createElement("span");
  fill.className = "bar-fill";
  if (typeof p === "number" && p >= state.threshold) fill.classList.add("above");
  fill.style.width = `${((p ?? 0) * 100).toFixed(1)}%`;
  const mark = document.createElement("span");
  mark.className = "bar-threshold";
  mark.style.left = `${(state.threshold * 100).toFixed(1)}%`;
  track.append(fill, mark);
  const value = document.createElement("span");
  value.className = "bar-value";
  value.textContent = p === undefined ? "…" : p === null ? "—" : p.toFixed(3);
  row.append(name, track, value);
  return row;
}

function probabilityBars(probabilities: (number | null)[] | undefined): HTMLElement[] {
  return LABELS.map((label, i) => barRow(label, probabilities?.[i]));
}

function updatePredictionPanel(): void {
  const probabilities = state.predictions.get(state.index);
  predBars.replaceChildren(...(state.runId && state.shown && !canvas.hidden ? probabilityBars(probabilities) : []));
}

function updateStrip(): void {
  const labelIndex = Math.max(0, LABELS.indexOf(state.label as (typeof LABELS)[number]));
  const bars: HTMLElement[] = [];
  for (let i = 0; i < state.total; i++) {
    const bar = document.createElement("span");
    bar.className = "strip-bar";
    const p = state.predictions.get(i)?.[labelIndex] ?? undefined;
    const fill = document.createElement("span");
    fill.className = "strip-fill";
    if (p !== undefined && p >= state.threshold) fill.classList.add("above");
    fill.style.height = `${Math.round((p ?? 0) * 100)}%`;
    bar.append(fill);
    bar.title = `slice ${i + 1}${state.series[i] ? ` · ${state.series[i].fileName}` : ""}${p !== undefined ? ` · ${state.label} ${p.toFixed(3)}` : ""}`;
    bar.addEventListener("click", () => goTo(i));
    if (i === state.index) bar.classList.add("current");
    bars.push(bar);
  }
  strip.replaceChildren(...bars);
}

let heatTimer: ReturnType<typeof setTimeout> | undefined;
/** Asks for the Grad-CAM of the shown slice once the user rests on it (each one is an engine run). */
function requestHeat(): void {
  clearTimeout(heatTimer);
  heatTimer = setTimeout(() => {
    if (!state.runId || !heatBox.checked) return;
    if (state.heat && state.heat.index === state.index && state.heat.label === state.label) return;
    post({ type: "requestGradcam", index: state.index, label: state.label });
  }, 300);
}

function acceptHeat(message: GradcamMessage): void {
  state.heat = { index: message.index, label: message.label, width: message.width, height: message.height, values: Float32Array.from(message.values) };
  paintHeat();
  draw();
}

// ---- pointer -------------------------------------------------------------------------------
type Drag = { kind: "window" | "pan"; x: number; y: number; start: Window; view: View };
let drag: Drag | undefined;

function canvasPoint(event: MouseEvent): { x: number; y: number } {
  const rect = canvas.getBoundingClientRect();
  const ratio = canvas.width / Math.max(1, rect.width);
  return { x: (event.clientX - rect.left) * ratio, y: (event.clientY - rect.top) * ratio };
}

canvas.addEventListener("mousedown", (event) => {
  if (!state.view) return;
  const pan = event.button === 1 || (event.button === 0 && (event.shiftKey || event.ctrlKey || event.metaKey || event.altKey));
  if (event.button !== 0 && event.button !== 1) return;
  event.preventDefault();
  drag = { kind: pan ? "pan" : "window", x: event.clientX, y: event.clientY, start: { ...state.window }, view: state.view };
  canvas.classList.add(pan ? "panning" : "windowing");
});
window.addEventListener("mouseup", () => {
  drag = undefined;
  canvas.classList.remove("panning", "windowing");
});
window.addEventListener("mousemove", (event) => {
  if (!drag) return;
  const dx = event.clientX - drag.x;
  const dy = event.clientY - drag.y;
  if (drag.kind === "pan") {
    const ratio = window.devicePixelRatio || 1;
    state.view = panBy(drag.view, dx * ratio, dy * ratio);
    draw();
  } else if (state.shown?.hu) {
    const next = dragWindow(drag.start, dx, dy);
    setWindow(makeWindow(next.width, next.level), false);
  }
});

canvas.addEventListener("mousemove", (event) => {
  if (drag) return;
  const started = performance.now();
  const shown = state.shown;
  if (!shown || !state.view) return;
  const { x, y } = canvasPoint(event);
  const heat = heatBox.checked && state.heat?.index === state.index && state.heat.label === state.label ? state.heat : undefined;
  const info = hoverAt(state.view, x, y, { width: shown.message.width, height: shown.message.height, hu: shown.hu, rgba: shown.rgba }, heat);
  if (!info) {
    tooltip.hidden = true;
    updateStatus();
    return;
  }
  const valueText = typeof info.value === "number" ? `HU ${Math.round(info.value * 10) / 10}` : `RGB ${info.value.join(", ")}`;
  const where = `(${info.column}, ${info.row})`;
  updateStatus(`${valueText} @ ${where}`);
  const lines: HTMLElement[] = [];
  const head = document.createElement("div");
  head.className = "tooltip-head";
  head.textContent = `${valueText}  ${where}${info.heat !== undefined ? `  heat ${info.heat.toFixed(2)}` : ""}`;
  lines.push(head);
  if (state.runId) {
    const probabilities = state.predictions.get(state.index);
    if (probabilities) lines.push(...probabilityBars(probabilities));
    else {
      const waiting = document.createElement("div");
      waiting.textContent = "predictions pending…";
      lines.push(waiting);
    }
    const note = document.createElement("div");
    note.className = "research";
    note.textContent = "Research output — not for diagnosis";
    lines.push(note);
  }
  tooltip.replaceChildren(...lines);
  tooltip.hidden = false;
  const bounds = viewport.getBoundingClientRect();
  const left = Math.min(event.clientX - bounds.left + 16, bounds.width - tooltip.offsetWidth - 4);
  const top = Math.min(event.clientY - bounds.top + 16, bounds.height - tooltip.offsetHeight - 4);
  tooltip.style.left = `${Math.max(0, left)}px`;
  tooltip.style.top = `${Math.max(0, top)}px`;
  const elapsed = performance.now() - started;
  if (started - state.lastHoverReport > 2000) {
    state.lastHoverReport = started;
    post({ type: "perf", name: state.runId ? "hover-tooltip-predictions" : "hover-tooltip", ms: elapsed });
  }
});
canvas.addEventListener("mouseleave", () => {
  tooltip.hidden = true;
  updateStatus();
});

let wheelAccumulator = 0;
canvas.addEventListener(
  "wheel",
  (event) => {
    event.preventDefault();
    if (!state.view) return;
    const delta = event.deltaMode === 1 ? event.deltaY * 33 : event.deltaY;
    if (event.ctrlKey || event.metaKey) {
      const { x, y } = canvasPoint(event);
      state.view = zoomAt(state.view, Math.exp(-delta / 500), x, y);
      draw();
      return;
    }
    if (Math.abs(delta) >= 50) {
      wheelAccumulator = 0;
      goTo(state.index + Math.sign(delta));
      return;
    }
    wheelAccumulator += delta;
    if (Math.abs(wheelAccumulator) >= 100) {
      goTo(state.index + Math.sign(wheelAccumulator));
      wheelAccumulator = 0;
    }
  },
  { passive: false },
);

function zoomCentre(factor: number): void {
  if (!state.view) return;
  state.view = zoomAt(state.view, factor, canvas.width / 2, canvas.height / 2);
  draw();
}

window.addEventListener("keydown", (event) => {
  if ((event.target as HTMLElement | null)?.closest?.("vscode-textfield, input")) return;
  const steps: Record<string, number> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: 10, PageUp: -10 };
  if (event.key in steps) {
    event.preventDefault();
    goTo(state.index + steps[event.key]);
  } else if (event.key === "Home") goTo(0);
  else if (event.key === "End") goTo(state.total - 1);
  else if (event.key === "+" || event.key === "=") zoomCentre(1.25);
  else if (event.key === "-") zoomCentre(0.8);
  else if (event.key === "r") resetView();
  else if (event.key === "i") {
    invertBox.checked = !invertBox.checked;
    state.userInvert = invertBox.checked;
    renderImage();
  }
});

function resetView(): void {
  state.view = undefined;
  draw();
}

// ---- tags ----------------------------------------------------------------------------------
function renderTags(): void {
  const query = tagSearch.value.trim().toLowerCase();
  const rows = state.tags
    .filter((t) => !query || `${t.tag} ${t.name} ${t.vr} ${t.value}`.toLowerCase().includes(query))
    .slice(0, 2000)
    .map((t) => {
      const row = document.createElement("tr");
      for (const text of [t.tag, t.name, t.vr, t.value]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    });
  tagBody.replaceChildren(...rows);
}

// ---- wiring --------------------------------------------------------------------------------
buildPresets();
widthField.addEventListener("change", readWindowFields);
levelField.addEventListener("change", readWindowFields);
invertBox.addEventListener("change", () => {
  state.userInvert = invertBox.checked;
  renderImage();
});
modelViewBox.addEventListener("change", () => {
  state.modelView = modelViewBox.checked;
  renderImage();
});
heatBox.addEventListener("change", () => {
  if (heatBox.checked) requestHeat();
  draw();
});
heatOpacity.addEventListener("input", () => {
  paintHeat();
  draw();
});
labelSelect.addEventListener("change", () => {
  state.label = labelSelect.value || "any";
  updateStrip();
  if (heatBox.checked) requestHeat();
  draw();
});
sliceSlider.addEventListener("input", () => goTo(Number(sliceSlider.value)));
frameSlider.addEventListener("input", () => goTo(state.index, Number(frameSlider.value)));
$("zoom-in").addEventListener("click", () => zoomCentre(1.25));
$("zoom-out").addEventListener("click", () => zoomCentre(0.8));
$("reset").addEventListener("click", resetView);
$("pick-model").addEventListener("click", () => post({ type: "command", command: "selectActiveModel" }));
$("train-model").addEventListener("click", () => post({ type: "command", command: "train" }));
tagSearch.addEventListener("input", renderTags);
new ResizeObserver(() => {
  if (resizeCanvas()) {
    state.view = undefined;
    draw();
  }
}).observe(viewport);

window.addEventListener("message", (event: MessageEvent) => {
  const message = parseToWebview(event.data);
  if (!message) {
    console.warn("preview: ignored malformed message", event.data?.type);
    return;
  }
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
      $("series-status").textContent = message.complete ? "" : "indexing series…";
      if (message.complete) prefetchAround(state.index);
      updateSeriesControls();
      updateStrip();
      updateStatus();
      break;
    case "error":
      errorBox.textContent = `Cannot show ${message.file}: ${message.message}`;
      errorBox.hidden = false;
      if (!state.shown || state.pendingSince !== undefined) canvas.hidden = true;
      state.pendingSince = undefined;
      updatePredictionPanel();
      break;
    case "model":
      state.runId = message.runId;
      state.threshold = message.threshold;
      state.predictions.clear();
      state.heat = undefined;
      banner.hidden = message.runId !== null;
      $("heat-controls").hidden = message.runId === null;
      $("model-name").textContent = message.runId ? `Model: ${message.runId}` : "No active model";
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
      predStatus.textContent = message.message;
      predStatus.className = `pred-status ${message.state}`;
      break;
    case "gradcam":
      acceptHeat(message);
      break;
  }
});

post({ type: "ready" });
post({ type: "perf", name: "webview-ready", ms: performance.now() });

