// Drawing what the state holds: the windowed image and the Grad-CAM overlay on the canvas, the
// status line, the series controls, the prediction bars and strip, and the tag table.
import { LABELS } from "../../src/shared/labels";
import { context, ui } from "./layout";
import { colourToRgba, heatToRgba, huToRgba, modelViewToRgba, type Window } from "./render";
import { shownHeat, state } from "./state";
import { transferSyntaxName } from "./syntax";
import { fitView } from "./viewport";

const imageCanvas = document.createElement("canvas");
const imageContext = imageCanvas.getContext("2d") as CanvasRenderingContext2D;
const heatCanvas = document.createElement("canvas");
const heatContext = heatCanvas.getContext("2d") as CanvasRenderingContext2D;

function invertNow(): boolean {
  return (state.shown?.message.monochrome1 ?? false) !== state.userInvert;
}

/** Re-windows the shown slice into the image canvas and draws it. */
export function renderImage(): void {
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

/** Matches the canvas to its box in device pixels; true when it changed. */
export function resizeCanvas(): boolean {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(ui.viewport.clientWidth * ratio));
  const height = Math.max(1, Math.round(ui.viewport.clientHeight * ratio));
  if (ui.canvas.width === width && ui.canvas.height === height) return false;
  ui.canvas.width = width;
  ui.canvas.height = height;
  return true;
}

/** Draws the image (and the heat overlay) with the current zoom and pan. */
export function draw(): void {
  const shown = state.shown;
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.clearRect(0, 0, ui.canvas.width, ui.canvas.height);
  if (!shown) return;
  if (!state.view) state.view = fitView(shown.message.width, shown.message.height, ui.canvas.width, ui.canvas.height);
  const { scale, offsetX, offsetY } = state.view;
  context.setTransform(scale, 0, 0, scale, offsetX, offsetY);
  context.imageSmoothingEnabled = scale < 1;
  context.drawImage(imageCanvas, 0, 0);
  const heat = shownHeat(ui.heatToggle.checked);
  if (heat) {
    context.imageSmoothingEnabled = true;
    context.drawImage(heatCanvas, 0, 0, heat.width, heat.height, 0, 0, shown.message.width, shown.message.height);
  }
}

/** Colours the heat grid with the chosen opacity (drawn scaled over the image by draw()). */
export function paintHeat(): void {
  const heat = state.heat;
  if (!heat) return;
  heatCanvas.width = heat.width;
  heatCanvas.height = heat.height;
  const image = heatContext.createImageData(heat.width, heat.height);
  heatToRgba(heat.values, Number(ui.heatOpacity.value) / 100, image.data);
  heatContext.putImageData(image, 0, 0);
}

/** Shows `window` in the W/L fields without drawing. */
export function setWindowSilently(window: Window): void {
  state.window = window;
  ui.widthField.value = String(window.width);
  ui.levelField.value = String(window.level);
}

export function updateSeriesControls(): void {
  ui.sliceCounter.textContent = `slice ${state.index + 1} / ${state.total}`;
  ui.sliceSlider.max = String(Math.max(0, state.total - 1));
  ui.sliceSlider.value = String(state.index);
  ui.sliceSlider.disabled = state.total <= 1;
  for (const [i, bar] of [...ui.strip.children].entries()) bar.classList.toggle("current", i === state.index);
}

export function updateStatus(hover?: string): void {
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
  ui.status.textContent = parts.filter(Boolean).join("  ·  ");
}

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

/** One bar per label, the threshold marked; "…" for a slice still being predicted. */
export function probabilityBars(probabilities: (number | null)[] | undefined): HTMLElement[] {
  return LABELS.map((label, i) => barRow(label, probabilities?.[i]));
}

export function updatePredictionPanel(): void {
  const probabilities = state.predictions.get(state.index);
  ui.predBars.replaceChildren(...(state.runId && state.shown && !ui.canvas.hidden ? probabilityBars(probabilities) : []));
}

/** The per-slice strip of the chosen label's probability (a click on a bar is handled in input.ts). */
export function updateStrip(): void {
  const labelIndex = Math.max(0, LABELS.indexOf(state.label as (typeof LABELS)[number]));
  const bars: HTMLElement[] = [];
  for (let i = 0; i < state.total; i++) {
    const bar = document.createElement("span");
    bar.className = "strip-bar";
    bar.dataset.index = String(i);
    const p = state.predictions.get(i)?.[labelIndex] ?? undefined;
    const fill = document.createElement("span");
    fill.className = "strip-fill";
    if (p !== undefined && p >= state.threshold) fill.classList.add("above");
    fill.style.height = `${Math.round((p ?? 0) * 100)}%`;
    bar.append(fill);
    bar.title = `slice ${i + 1}${state.series[i] ? ` · ${state.series[i].fileName}` : ""}${p !== undefined ? ` · ${state.label} ${p.toFixed(3)}` : ""}`;
    if (i === state.index) bar.classList.add("current");
    bars.push(bar);
  }
  ui.strip.replaceChildren(...bars);
}

export function renderTags(): void {
  const query = ui.tagSearch.value.trim().toLowerCase();
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
  ui.tagBody.replaceChildren(...rows);
}
