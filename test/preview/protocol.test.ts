import { describe, expect, it } from "vitest";
import { parseFromWebview, parseToWebview, type SliceMessage } from "../../src/protocol/preview";

function slice(overrides: Partial<Record<keyof SliceMessage, unknown>> = {}): Record<string, unknown> {
  return {
    type: "slice", index: 2, total: 5, file: "/d/a.dcm", fileName: "a.dcm", frame: 0, frames: 1, width: 4, height: 3,
    pixelType: "int16", pixels: new ArrayBuffer(4 * 3 * 2), monochrome1: false, photometric: "MONOCHROME2",
    transferSyntax: "1.2.840.10008.1.2.1", windowCenter: 40, windowWidth: 80, position: 12.5, decodeMs: 3,
    ...overrides,
  };
}

describe("messages to the webview", () => {
  it("accepts a well-formed slice and rejects every malformed variant", () => {
    expect(parseToWebview(slice())?.type).toBe("slice");
    expect(parseToWebview(slice({ pixelType: "float32", pixels: new ArrayBuffer(48) }))).not.toBeNull();
    const bad = [
      slice({ pixels: new ArrayBuffer(10) }), // wrong byte length
      slice({ pixels: new Int16Array(12) }), // a view, not the buffer
      slice({ pixels: Array.from({ length: 24 }, () => 0) }),
      slice({ index: 5 }), // past the end
      slice({ index: -1 }),
      slice({ frame: 1 }), // only one frame
      slice({ width: 0 }),
      slice({ width: 2.5 }),
      slice({ width: 100000 }),
      slice({ pixelType: "uint8" }),
      slice({ monochrome1: "no" }),
      slice({ windowCenter: "40" }),
      slice({ position: Number.NaN }),
      slice({ file: 7 }),
    ];
    for (const message of bad) expect(parseToWebview(message)).toBeNull();
  });

  it("validates predictions, series, model, gradcam and rejects unknown types", () => {
    const six = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    expect(parseToWebview({ type: "predictions", runId: "r", entries: [{ index: 0, probabilities: six }] })).not.toBeNull();
    expect(parseToWebview({ type: "predictions", runId: "r", entries: [{ index: 0, probabilities: [0.9, null, null, null, null, null] }] })).not.toBeNull();
    expect(parseToWebview({ type: "predictions", runId: "r", entries: [{ index: 0, probabilities: six.slice(1) }] })).toBeNull();
    expect(parseToWebview({ type: "predictions", runId: "r", entries: [{ index: 0, probabilities: [1.5, 0, 0, 0, 0, 0] }] })).toBeNull();
    expect(parseToWebview({ type: "predictions", runId: "r", entries: [{ index: -2, probabilities: six }] })).toBeNull();
    expect(parseToWebview({ type: "series", complete: true, index: 1, entries: [{ fileName: "a" }, { fileName: "b", position: 3 }] })).not.toBeNull();
    expect(parseToWebview({ type: "series", complete: true, index: 2, entries: [{ fileName: "a" }] })).toBeNull();
    expect(parseToWebview({ type: "model", runId: null, threshold: 0.5 })).not.toBeNull();
    expect(parseToWebview({ type: "model", runId: "", threshold: 0.5 })).toBeNull();
    expect(parseToWebview({ type: "model", runId: "r", threshold: 2 })).toBeNull();
    expect(parseToWebview({ type: "gradcam", index: 0, label: "subdural", width: 2, height: 2, values: [0, 0.5, 1, 0.25] })).not.toBeNull();
    expect(parseToWebview({ type: "gradcam", index: 0, label: "subdural", width: 2, height: 2, values: [0, 0.5, 1] })).toBeNull();
    expect(parseToWebview({ type: "gradcam", index: 0, label: "stroke", width: 1, height: 1, values: [0] })).toBeNull();
    expect(parseToWebview({ type: "tags", file: "a", tags: [{ tag: "(0010,0010)", name: "PatientName", vr: "PN", value: 3 }] })).toBeNull();
    expect(parseToWebview({ type: "error", file: "a", code: "truncated" })).toBeNull();
    expect(parseToWebview({ type: "script", code: "alert(1)" })).toBeNull();
    for (const junk of [null, undefined, 42, "slice", [], [slice()]]) expect(parseToWebview(junk)).toBeNull();
  });
});

describe("messages from the webview", () => {
  it("accepts the known commands with valid arguments only", () => {
    expect(parseFromWebview({ type: "ready" })).toEqual({ type: "ready" });
    expect(parseFromWebview({ type: "requestSlice", index: 3, frame: 0 })).toEqual({ type: "requestSlice", index: 3, frame: 0 });
    expect(parseFromWebview({ type: "requestSlice", index: "3", frame: 0 })).toBeNull();
    expect(parseFromWebview({ type: "requestSlice", index: 1.5, frame: 0 })).toBeNull();
    expect(parseFromWebview({ type: "prefetch", indices: [1, 2, 3] })).not.toBeNull();
    expect(parseFromWebview({ type: "prefetch", indices: Array.from({ length: 100 }, (_, i) => i) })).toBeNull();
    expect(parseFromWebview({ type: "perf", name: "first-paint", ms: 120 })).not.toBeNull();
    expect(parseFromWebview({ type: "perf", name: "<img src=x>", ms: 1 })).toBeNull();
    expect(parseFromWebview({ type: "perf", name: "hover", ms: -1 })).toBeNull();
    expect(parseFromWebview({ type: "command", command: "train" })).toEqual({ type: "command", command: "train" });
    expect(parseFromWebview({ type: "command", command: "workbench.action.terminal.new" })).toBeNull();
    expect(parseFromWebview({ type: "requestGradcam", index: 0, label: "any" })).not.toBeNull();
    expect(parseFromWebview({ type: "requestGradcam", index: 0, label: "../../etc" })).toBeNull();
    for (const junk of [null, "ready", { type: "unknown" }, { kind: "ready" }]) expect(parseFromWebview(junk)).toBeNull();
  });

  it("returns fresh objects without extra properties", () => {
    const parsed = parseFromWebview({ type: "requestSlice", index: 1, frame: 0, evil: "x" });
    expect(parsed).toEqual({ type: "requestSlice", index: 1, frame: 0 });
  });
});
