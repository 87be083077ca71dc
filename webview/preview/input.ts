// What the user does: window presets and W/L fields, drag to window or pan, wheel to scroll or
// zoom, keys, the slice and frame sliders, the strip, the heatmap controls and the tag search.
import { LABELS } from "../../src/shared/labels";
import { post } from "./channel";
import { requestHeat } from "./heat";
import { ui } from "./layout";
import { makeWindow, PRESETS, type Window } from "./render";
import { draw, paintHeat, renderImage, renderTags, resizeCanvas, updateStrip } from "./rendering";
import { fileWindowButton, goTo } from "./slices";
import { state } from "./state";
import { canvasPoint, hideTooltip, showTooltip } from "./tooltip";
import { dragWindow, panBy, zoomAt, type View } from "./viewport";

function setWindow(window: Window, fromField: boolean): void {
  state.modelView = false;
  ui.modelView.checked = false;
  state.window = makeWindow(window.width, window.level);
  if (!fromField) {
    ui.widthField.value = String(state.window.width);
    ui.levelField.value = String(state.window.level);
  }
  renderImage();
}

function readWindowFields(): void {
  const width = Number(ui.widthField.value);
  const level = Number(ui.levelField.value);
  if (Number.isFinite(width) && width >= 1 && Number.isFinite(level)) setWindow(makeWindow(width, level), true);
}

function buildToolbar(): void {
  for (const preset of PRESETS) {
    const button = document.createElement("vscode-button");
    button.setAttribute("secondary", "");
    button.textContent = `${preset.label} ${preset.window.width}/${preset.window.level}`;
    button.title = `Window width ${preset.window.width}, level ${preset.window.level}`;
    button.dataset.preset = preset.id;
    button.addEventListener("click", () => setWindow(preset.window, false));
    ui.presets.append(button);
  }
  fileWindowButton.setAttribute("secondary", "");
  fileWindowButton.textContent = "File W/L";
  fileWindowButton.dataset.preset = "file";
  fileWindowButton.hidden = true;
  fileWindowButton.addEventListener("click", () => state.fileWindow && setWindow(state.fileWindow, false));
  ui.presets.append(fileWindowButton);
  for (const label of LABELS) {
    const option = document.createElement("vscode-option");
    option.setAttribute("value", label);
    option.textContent = label;
    ui.labelSelect.append(option);
  }
}

function zoomCentre(factor: number): void {
  if (!state.view) return;
  state.view = zoomAt(state.view, factor, ui.canvas.width / 2, ui.canvas.height / 2);
  draw();
}

function resetView(): void {
  state.view = undefined;
  draw();
}

function wirePointer(): void {
  type Drag = { kind: "window" | "pan"; x: number; y: number; start: Window; view: View };
  let drag: Drag | undefined;
  const canvas = ui.canvas;
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
    if (!drag) showTooltip(event);
  });
  canvas.addEventListener("mouseleave", hideTooltip);

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
}

function wireKeys(): void {
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
      ui.invert.checked = !ui.invert.checked;
      state.userInvert = ui.invert.checked;
      renderImage();
    }
  });
}

function wireControls(): void {
  ui.widthField.addEventListener("change", readWindowFields);
  ui.levelField.addEventListener("change", readWindowFields);
  ui.invert.addEventListener("change", () => {
    state.userInvert = ui.invert.checked;
    renderImage();
  });
  ui.modelView.addEventListener("change", () => {
    state.modelView = ui.modelView.checked;
    renderImage();
  });
  ui.heatToggle.addEventListener("change", () => {
    if (ui.heatToggle.checked) requestHeat();
    draw();
  });
  ui.heatOpacity.addEventListener("input", () => {
    paintHeat();
    draw();
  });
  ui.labelSelect.addEventListener("change", () => {
    state.label = ui.labelSelect.value || "any";
    updateStrip();
    if (ui.heatToggle.checked) requestHeat();
    draw();
  });
  ui.sliceSlider.addEventListener("input", () => goTo(Number(ui.sliceSlider.value)));
  ui.frameSlider.addEventListener("input", () => goTo(state.index, Number(ui.frameSlider.value)));
  ui.strip.addEventListener("click", (event) => {
    const bar = (event.target as HTMLElement | null)?.closest<HTMLElement>(".strip-bar");
    if (bar?.dataset.index !== undefined) goTo(Number(bar.dataset.index));
  });
  ui.zoomIn.addEventListener("click", () => zoomCentre(1.25));
  ui.zoomOut.addEventListener("click", () => zoomCentre(0.8));
  ui.reset.addEventListener("click", resetView);
  ui.pickModel.addEventListener("click", () => post({ type: "command", command: "selectActiveModel" }));
  ui.trainModel.addEventListener("click", () => post({ type: "command", command: "train" }));
  ui.tagSearch.addEventListener("input", renderTags);
  new ResizeObserver(() => {
    if (resizeCanvas()) {
      state.view = undefined;
      draw();
    }
  }).observe(ui.viewport);
}

export function wireInput(): void {
  buildToolbar();
  wirePointer();
  wireKeys();
  wireControls();
}
