// Hover: the pixel value (HU or RGB), its position, the heat value and the slice's probabilities
// in a tooltip beside the pointer, and in the status line.
import { post } from "./channel";
import { hoverAt } from "./hover";
import { ui } from "./layout";
import { probabilityBars, updateStatus } from "./rendering";
import { shownHeat, state } from "./state";

/** Canvas pixel under a mouse event (the canvas is sized in device pixels). */
export function canvasPoint(event: MouseEvent): { x: number; y: number } {
  const rect = ui.canvas.getBoundingClientRect();
  const ratio = ui.canvas.width / Math.max(1, rect.width);
  return { x: (event.clientX - rect.left) * ratio, y: (event.clientY - rect.top) * ratio };
}

export function showTooltip(event: MouseEvent): void {
  const started = performance.now();
  const shown = state.shown;
  if (!shown || !state.view) return;
  const { x, y } = canvasPoint(event);
  const image = { width: shown.message.width, height: shown.message.height, hu: shown.hu, rgba: shown.rgba };
  const info = hoverAt(state.view, x, y, image, shownHeat(ui.heatToggle.checked));
  if (!info) {
    hideTooltip();
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
  const tooltip = ui.tooltip;
  tooltip.replaceChildren(...lines);
  tooltip.hidden = false;
  const bounds = ui.viewport.getBoundingClientRect();
  const left = Math.min(event.clientX - bounds.left + 16, bounds.width - tooltip.offsetWidth - 4);
  const top = Math.min(event.clientY - bounds.top + 16, bounds.height - tooltip.offsetHeight - 4);
  tooltip.style.left = `${Math.max(0, left)}px`;
  tooltip.style.top = `${Math.max(0, top)}px`;
  const elapsed = performance.now() - started;
  if (started - state.lastHoverReport > 2000) {
    state.lastHoverReport = started;
    post({ type: "perf", name: state.runId ? "hover-tooltip-predictions" : "hover-tooltip", ms: elapsed });
  }
}

export function hideTooltip(): void {
  ui.tooltip.hidden = true;
  updateStatus();
}
