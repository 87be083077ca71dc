// The preview's page, built in script like every panel's (webview/shared/dom.ts), and the
// elements the other modules use.
import "./elements";
import { el } from "../shared/dom";

type ValueElement = HTMLElement & { value: string };
type CheckElement = HTMLElement & { checked: boolean };

function range(id: string, attrs: Record<string, string> = {}): HTMLInputElement {
  return el("input", { type: "range", id, min: "0", max: "0", value: "0", ...attrs });
}

function button(id: string, text: string, title?: string): HTMLElement {
  return el("vscode-button", { id, secondary: "", ...(title ? { title } : {}) }, text);
}

function hidden<T extends HTMLElement>(element: T): T {
  element.hidden = true;
  return element;
}

function buildLayout() {
  const ui = {
    title: el("span", { id: "title", class: "title" }),
    sliceCounter: el("span", { id: "slice-counter", class: "slice-counter", "aria-live": "polite" }, "slice 1 / 1"),
    seriesStatus: el("span", { id: "series-status", class: "muted" }),
    frameSlider: range("frame-slider"),
    frameLabel: el("span", { id: "frame-label" }),
    frameBox: hidden(el("span", { id: "frame-box", class: "frame-box" })),
    modelName: el("span", { id: "model-name", class: "model-name muted" }),
    pickModel: button("pick-model", "Pick model"),
    trainModel: button("train-model", "Train one"),
    banner: hidden(el("div", { id: "banner", class: "banner" })),
    presets: el("span", { id: "presets", class: "group" }),
    widthField: el("vscode-textfield", { id: "ww", type: "number", class: "wl" }) as ValueElement,
    levelField: el("vscode-textfield", { id: "wl", type: "number", class: "wl" }) as ValueElement,
    modelView: el("vscode-checkbox", { id: "model-view", title: "Brain / subdural / bone windows as R / G / B, as the model sees it" }, "Model view") as CheckElement,
    invert: el("vscode-checkbox", { id: "invert" }, "Invert") as CheckElement,
    zoomIn: button("zoom-in", "+", "Zoom in (Ctrl+wheel)"),
    zoomOut: button("zoom-out", "−", "Zoom out (Ctrl+wheel)"),
    reset: button("reset", "Reset", "Fit to panel (r)"),
    canvas: el("canvas", { id: "canvas", class: "image", "aria-label": "DICOM image: drag to window, Shift+drag or middle button to pan, wheel to scroll slices, Ctrl+wheel to zoom" }),
    error: hidden(el("div", { id: "error", class: "error", role: "alert" })),
    tooltip: hidden(el("div", { id: "tooltip", class: "tooltip" })),
    viewport: el("div", { id: "viewport", class: "viewport", title: "" }),
    predStatus: el("div", { id: "pred-status", class: "pred-status" }),
    predBars: el("div", { id: "pred-bars" }),
    heatToggle: el("vscode-checkbox", { id: "heat-toggle" }, "Grad-CAM heatmap") as CheckElement,
    labelSelect: el("vscode-single-select", { id: "label-select" }) as ValueElement,
    heatOpacity: el("input", { type: "range", id: "heat-opacity", min: "0", max: "100", value: "50" }),
    heatControls: hidden(el("div", { id: "heat-controls", class: "heat-controls" })),
    sliceSlider: range("slice-slider", { "aria-label": "Slice" }),
    strip: el("div", { id: "strip", class: "strip", "aria-label": "Per-slice probability of the chosen label; click to jump" }),
    status: el("div", { id: "status", class: "status" }),
    tagSearch: el("vscode-textfield", { id: "tag-search", placeholder: "Search tags (tag, name or value)" }) as ValueElement,
    tagBody: el("tbody", { id: "tag-body" }),
  };
  ui.frameBox.append("Frame ", ui.frameSlider, " ", ui.frameLabel);
  ui.banner.append(el("span", {}, "No active model: the preview works, predictions are off."), ui.pickModel, ui.trainModel);
  ui.viewport.append(ui.canvas, ui.error, ui.tooltip);
  ui.heatControls.append(ui.heatToggle, el("label", {}, "Label ", ui.labelSelect), el("label", {}, "Opacity ", ui.heatOpacity));
  const tagHead = el("thead", {}, el("tr", {}, ...["Tag", "Name", "VR", "Value"].map((h) => el("th", {}, h))));
  document.body.append(
    el("header", { class: "header" }, ui.title, ui.sliceCounter, ui.seriesStatus, ui.frameBox, ui.modelName),
    ui.banner,
    el(
      "div",
      { class: "toolbar" },
      ui.presets,
      el("span", { class: "group" }, "W ", ui.widthField, " L ", ui.levelField),
      ui.modelView,
      ui.invert,
      el("span", { class: "group" }, ui.zoomIn, ui.zoomOut, ui.reset),
    ),
    el(
      "div",
      { class: "main" },
      ui.viewport,
      el("aside", { class: "side" }, el("h3", {}, "Predictions"), el("div", { class: "research" }, "Research output — not for diagnosis"), ui.predStatus, ui.predBars, ui.heatControls),
    ),
    el("div", { class: "series" }, ui.sliceSlider, ui.strip),
    ui.status,
    el("vscode-collapsible", { id: "tags-box", title: "DICOM tags" }, el("div", { class: "tags" }, ui.tagSearch, el("table", { class: "tag-table" }, tagHead, ui.tagBody))),
  );
  return ui;
}

export const ui = buildLayout();
export const context = ui.canvas.getContext("2d") as CanvasRenderingContext2D;
