// Public API of the imaging layer: windows, channel stacking, resizing, model tensors, RGBA, PNG.
export * from "../../shared/window";
export * from "./resize";
export * from "./tensor";
export * from "./png";
export * from "./slice";
