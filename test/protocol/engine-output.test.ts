// The engine contract's readers: what `ich … --json` prints is accepted whole; anything else is an
// EngineOutputError that names the command and the field.
import { describe, expect, it } from "vitest";
import { EngineOutputError, jsonDocument, readBackendOutput, readEvalOutput, readGradcamOutput, readPredictOutput, readProgressEvent } from "../../src/protocol/engine-output";

const predict = {
  labels: ["any", "subdural"],
  tta: { flip: true, rotate: [-10, 10] },
  engine: { name: "onnx", device: "CPU (ONNX Runtime 1.30.0)", requestedProviders: ["cpu"], usedProviders: null, notes: [] },
  slices: [{ file: "/d/a.dcm", id: "ID_a", studyUid: "1.2", seriesUid: "1.2.3", probabilities: { any: 0.9, subdural: 0.7 } }],
  studies: [{ studyUid: "1.2", seriesUid: "1.2.3", slices: 1, probabilities: { any: 0.9, subdural: 0.7 } }],
  failures: [{ file: "/d/b.dcm", error: "/d/b.dcm: not a DICOM file" }],
};
const text = (value: unknown) => `${JSON.stringify(value)}\n`;

describe("engine output contract", () => {
  it("reads ich predict --json whole, after log lines a library printed on stdout", () => {
    expect(readPredictOutput(`onnxruntime: warming up\n${text(predict)}`)).toEqual(predict);
  });

  it("refuses predict output of another shape, naming the command and the field", () => {
    const bad = (change: object) => () => readPredictOutput(text({ ...predict, ...change }));
    expect(bad({ slices: [{ ...predict.slices[0], probabilities: { any: 1.5 } }] })).toThrow(/^ich predict --json: slices\[0\] \(\/d\/a\.dcm\) has probabilities outside/);
    expect(bad({ slices: [{ ...predict.slices[0], probabilities: { bleed: 0.5 } }] })).toThrow(/unknown labels/);
    expect(bad({ labels: ["any", "bleed"] })).toThrow(/labels is not a list/);
    expect(bad({ studies: undefined })).toThrow(/no studies array/);
    expect(bad({ engine: { name: "torch", device: "x", notes: [] } })).toThrow(/engine is not/);
    expect(bad({ failures: [{ file: 1 }] })).toThrow(/failures/);
    // The shapes the old preview parser guessed at do not exist and are refused.
    expect(() => readPredictOutput(text({ predictions: predict.slices }))).toThrow(EngineOutputError);
    expect(() => readPredictOutput("Error: no model.json\n")).toThrow(/ich predict --json: output is not JSON/);
  });

  it("reads the Grad-CAM grid and refuses one whose size or range is wrong", () => {
    const heat = { file: "/d/a.dcm", label: "subdural", probability: 0.7, gradcam: { width: 2, height: 1, values: [0, 1], layer: "conv5" } };
    expect(readGradcamOutput(text(heat))).toEqual(heat);
    expect(() => readGradcamOutput(text({ ...heat, gradcam: { ...heat.gradcam, values: [0] } }))).toThrow(/ich predict --gradcam: gradcam.values is not 2×1 numbers/);
    expect(() => readGradcamOutput(text({ ...heat, gradcam: { ...heat.gradcam, values: [0, 1.2] } }))).toThrow(/in \[0, 1\]/);
    expect(() => readGradcamOutput(text({ ...heat, label: "bleed" }))).toThrow(/not \{file, label/);
  });

  it("reads ich eval --json with undefined metrics as null", () => {
    const evaluation = { runId: "r1", data: "synthetic: 96 validation slices", samples: 96, loss: 0.3, weightedLogLoss: 0.31, meanAuc: null, perLabel: {}, roc: {} };
    expect(readEvalOutput(text(evaluation))).toMatchObject({ runId: "r1", weightedLogLoss: 0.31, meanAuc: null });
    expect(() => readEvalOutput(text({ ...evaluation, weightedLogLoss: "0.3" }))).toThrow(/ich eval --json: weightedLogLoss or meanAuc/);
  });

  it("reads ich backend --json and refuses a report without its fields", () => {
    const report = { backend: "wasm", device: "CPU (WASM SIMD, 2 threads)", gpu: false, versions: { node: "20.19.0" }, warnings: [], engine: { default: "onnx", onnx: { available: true } } };
    expect(readBackendOutput(text(report))).toEqual(report);
    expect(() => readBackendOutput(text({ ...report, gpu: "no" }))).toThrow(/ich backend --json: output is not \{backend, device, gpu/);
    expect(() => readBackendOutput(text({ ...report, engine: { default: "onnx" } }))).toThrow(/engine is not/);
    expect(readBackendOutput(text({ ...report, autoTrainingEngine: "onnx" })).autoTrainingEngine).toBe("onnx");
    expect(() => readBackendOutput(text({ ...report, autoTrainingEngine: true }))).toThrow(/ich backend --json: autoTrainingEngine is not a string/);
  });

  it("recognises progress events with their fields, and nothing else", () => {
    expect(readProgressEvent('{"type":"run-ended","runId":"r1","status":"completed"}')).toEqual({ type: "run-ended", runId: "r1", status: "completed" });
    expect(readProgressEvent('{"type":"log","message":"indexing"}')).toEqual({ type: "log", message: "indexing" });
    expect(readProgressEvent('{"type":"run-ended","runId":"r1","status":"exploded"}')).toBeUndefined();
    expect(readProgressEvent('{"type":"epoch","runId":"r1","epoch":1}')).toBeUndefined();
    // An undefined mean AUC (one class per label) is printed as null and still an epoch event.
    const epoch = { type: "epoch", runId: "r1", epoch: 1, epochs: 2, trainLoss: 0.4, val: { loss: 0.5, weightedLogLoss: 0.6, meanAuc: null, perLabel: {} } };
    expect(readProgressEvent(JSON.stringify(epoch))).toEqual(epoch);
    expect(readProgressEvent(JSON.stringify({ ...epoch, val: { ...epoch.val, weightedLogLoss: null } }))).toBeUndefined();
    expect(readProgressEvent('{"type":"something-else"}')).toBeUndefined();
    expect(readProgressEvent('{"type":"toString","message":"x"}')).toBeUndefined();
    expect(readProgressEvent("[1,2]")).toBeUndefined();
    expect(readProgressEvent("{not json")).toBeUndefined();
    expect(readProgressEvent("epoch 1 done")).toBeUndefined();
  });

  it("takes the last JSON line of a command that logs before its document", () => {
    expect(jsonDocument('loading...\n{"a":2}\n', "x")).toEqual({ a: 2 });
    expect(() => jsonDocument("no json here", "ich eval --json")).toThrow(/ich eval --json: output is not JSON/);
  });
});
