// Grad-CAM for the shown slice: asked for once the user rests on a slice (each one is an engine
// run), adopted and painted when it arrives.
import type { GradcamMessage } from "../../src/protocol/preview";
import { post } from "./channel";
import { ui } from "./layout";
import { draw, paintHeat } from "./rendering";
import { state } from "./state";

let heatTimer: ReturnType<typeof setTimeout> | undefined;

export function requestHeat(): void {
  clearTimeout(heatTimer);
  heatTimer = setTimeout(() => {
    if (!state.runId || !ui.heatToggle.checked) return;
    if (state.heat && state.heat.index === state.index && state.heat.label === state.label) return;
    post({ type: "requestGradcam", index: state.index, label: state.label });
  }, 300);
}

export function acceptHeat(message: GradcamMessage): void {
  state.heat = { index: message.index, label: message.label, width: message.width, height: message.height, values: Float32Array.from(message.values) };
  paintHeat();
  draw();
}
