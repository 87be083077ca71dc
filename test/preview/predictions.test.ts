import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { setLaunchPolicy } from "../../src/extension/engine/launch";
import { readGradcamOutput, readPredictOutput } from "../../src/protocol/engine-output";
import { probabilitiesByFile, Predictor } from "../../src/extension/preview/predictions";

// The launcher refuses everything until the extension reports a trusted workspace.
beforeAll(() => setLaunchPolicy({ isTrusted: () => true, workspaceFolders: () => [] }));

// The shape `ich predict RUN FILES --json` prints (src/cli/commands/predict.ts).
const cliOutput = JSON.stringify({
  labels: ["any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"],
  tta: false,
  slices: [
    { file: "/data/s/a.dcm", id: "ID_a", probabilities: { any: 0.9, epidural: 0.1, intraparenchymal: 0.2, intraventricular: 0.3, subarachnoid: 0.4, subdural: 0.8 } },
    { file: "/data/s/b.dcm", id: "ID_b", probabilities: { any: 0.1, epidural: 0, intraparenchymal: 0, intraventricular: 0, subarachnoid: 0, subdural: 0.05 } },
  ],
  studies: [{ studyUid: "1", seriesUid: "2", slices: 2, probabilities: { any: 0.9 } }],
  failures: [{ file: "/data/s/c.dcm", error: "truncated" }],
  engine: { name: "onnx", device: "CPU (ONNX Runtime 1.30.0, 2 intra-op threads)", notes: [] },
});

describe("prediction output for the preview", () => {
  it("takes per-slice probabilities in LABELS order from the contract's predict output", () => {
    const parsed = probabilitiesByFile(readPredictOutput(cliOutput));
    expect([...parsed.keys()]).toEqual(["/data/s/a.dcm", "/data/s/b.dcm"]);
    expect(parsed.get("/data/s/a.dcm")).toEqual([0.9, 0.1, 0.2, 0.3, 0.4, 0.8]);
  });

  it("keeps any-only models (other labels null) and leaves out slices without `any`", () => {
    const output = { labels: ["any"], tta: false, engine: null, studies: [], failures: [], slices: [
      { file: "x.dcm", id: "x", probabilities: { any: 0.7 } },
      { file: "y.dcm", id: "y", probabilities: { subdural: 0.7 } },
    ] };
    const parsed = probabilitiesByFile(readPredictOutput(JSON.stringify(output)));
    expect(parsed.get("x.dcm")).toEqual([0.7, null, null, null, null, null]);
    expect(parsed.has("y.dcm")).toBe(false);
  });

  it("reads the Grad-CAM grid of `ich predict --gradcam`", () => {
    const out = JSON.stringify({ file: "a.dcm", label: "any", probability: 0.9, gradcam: { width: 2, height: 2, values: [0, 0.5, 1, 0], layer: "block5_relu" } });
    expect(readGradcamOutput(out).gradcam).toMatchObject({ width: 2, height: 2, values: [0, 0.5, 1, 0] });
  });
});

describe("Predictor cache", () => {
  it("runs ONE engine process for the uncached files of a series, then serves them from memory and disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ich-preview-"));
    const files = ["a.dcm", "b.dcm", "c.dcm"].map((n) => join(dir, n));
    for (const f of files) writeFileSync(f, "x");
    // A stand-in engine: prints probabilities for the files it was given and logs each call.
    const engine = join(dir, "engine.cjs");
    const calls = join(dir, "calls.log");
    writeFileSync(
      engine,
      `const fs = require("fs"); const [, , , , ...rest] = process.argv; const files = rest.filter((a) => a.endsWith(".dcm"));
       fs.appendFileSync(${JSON.stringify(calls)}, files.length + "\\n");
       console.log(JSON.stringify({ labels: ["any"], tta: false, engine: null, studies: [], failures: [], slices: files.map((file, i) => ({ file, id: file, probabilities: { any: 0.1 * (i + 1) } })) }));`,
    );
    const invocation = (runDir: string, files: readonly string[]) => ({ command: process.execPath, args: [engine, "predict", runDir, ...files], env: {} });
    const make = (storage: string) => new Predictor({ predictInvocation: invocation, gradcamInvocation: () => invocation("", []), cwd: () => dir, storageDir: storage, log: () => {} });
    const storage = join(dir, "storage");
    const predictor = make(storage);
    const first = await predictor.predict("run-1", files.slice(0, 2));
    expect(first.get(files[1])?.[0]).toBeCloseTo(0.2);
    const second = await predictor.predict("run-1", files);
    expect(second.size).toBe(3);
    // Only the new file went to the engine, in one process each time.
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual(["2", "1"]);
    // A fresh predictor (new window) finds them on disk; another run does not.
    const fresh = make(storage);
    expect((await fresh.cached("run-1", files)).size).toBe(3);
    expect((await fresh.cached("run-2", files)).size).toBe(0);
  });
});
