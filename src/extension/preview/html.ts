import type * as vscode from "vscode";
import { webviewHtml } from "../webview-html";

/** The preview's HTML: strict CSP (nonce'd script, styles only from the extension), no inline handlers. */
export function previewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, joinPath: (base: vscode.Uri, ...parts: string[]) => vscode.Uri): string {
  return webviewHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(joinPath(extensionUri, "dist", "webview", "preview.js")).toString(),
    styleUri: webview.asWebviewUri(joinPath(extensionUri, "media", "preview.css")).toString(),
    title: "DICOM preview",
    extraImgSources: ["blob:", "data:"],
    bodyAttributes: "",
    bodyMarkup: PREVIEW_MARKUP,
  });
}

const PREVIEW_MARKUP = `<header class="header">
  <span id="title" class="title"></span>
  <span id="slice-counter" class="slice-counter" aria-live="polite">slice 1 / 1</span>
  <span id="series-status" class="muted"></span>
  <span id="frame-box" class="frame-box" hidden>Frame <input type="range" id="frame-slider" min="0" max="0" value="0"> <span id="frame-label"></span></span>
  <span id="model-name" class="model-name muted"></span>
</header>
<div id="banner" class="banner" hidden>
  <span>No active model: the preview works, predictions are off.</span>
  <vscode-button id="pick-model" secondary>Pick model</vscode-button>
  <vscode-button id="train-model" secondary>Train one</vscode-button>
</div>
<div class="toolbar">
  <span id="presets" class="group"></span>
  <span class="group">W <vscode-textfield id="ww" type="number" class="wl"></vscode-textfield>
  L <vscode-textfield id="wl" type="number" class="wl"></vscode-textfield></span>
  <vscode-checkbox id="model-view" title="Brain / subdural / bone windows as R / G / B, as the model sees it">Model view</vscode-checkbox>
  <vscode-checkbox id="invert">Invert</vscode-checkbox>
  <span class="group">
    <vscode-button id="zoom-in" secondary title="Zoom in (Ctrl+wheel)">+</vscode-button>
    <vscode-button id="zoom-out" secondary title="Zoom out (Ctrl+wheel)">−</vscode-button>
    <vscode-button id="reset" secondary title="Fit to panel (r)">Reset</vscode-button>
  </span>
</div>
<div class="main">
  <div id="viewport" class="viewport" title="">
    <canvas id="canvas" class="image" aria-label="DICOM image: drag to window, Shift+drag or middle button to pan, wheel to scroll slices, Ctrl+wheel to zoom"></canvas>
    <div id="error" class="error" role="alert" hidden></div>
    <div id="tooltip" class="tooltip" hidden></div>
  </div>
  <aside class="side">
    <h3>Predictions</h3>
    <div class="research">Research output — not for diagnosis</div>
    <div id="pred-status" class="pred-status"></div>
    <div id="pred-bars"></div>
    <div id="heat-controls" class="heat-controls" hidden>
      <vscode-checkbox id="heat-toggle">Grad-CAM heatmap</vscode-checkbox>
      <label>Label <vscode-single-select id="label-select"></vscode-single-select></label>
      <label>Opacity <input type="range" id="heat-opacity" min="0" max="100" value="50"></label>
    </div>
  </aside>
</div>
<div class="series">
  <input type="range" id="slice-slider" min="0" max="0" value="0" aria-label="Slice">
  <div id="strip" class="strip" aria-label="Per-slice probability of the chosen label; click to jump"></div>
</div>
<div id="status" class="status"></div>
<vscode-collapsible id="tags-box" title="DICOM tags">
  <div class="tags">
    <vscode-textfield id="tag-search" placeholder="Search tags (tag, name or value)"></vscode-textfield>
    <table class="tag-table"><thead><tr><th>Tag</th><th>Name</th><th>VR</th><th>Value</th></tr></thead><tbody id="tag-body"></tbody></table>
  </div>
</vscode-collapsible>`;
