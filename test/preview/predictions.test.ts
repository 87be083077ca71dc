import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { setLaunchPolicy } from "../../src/extension/engine/launch";
import { parseGradcamOutput, parsePredictOutput, Predictor, probabilitiesOf } from "../../src/extension/preview/predictions";

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
});

describe("prediction output parsing", () => {
  it("reads per-slice probabilities in LABELS order and ignores studies and failures", () => {
    const parsed = parsePredictOutput(cliOutput);
    expect([...parsed.keys()]).toEqual(["/data/s/a.dcm", "/data/s/b.dcm"]);
    expect(parsed.get("/data/s/a.dcm")).toEqual([0.9, 0.1, 0.2, 0.3, 0.4, 0.8]);
  });

  it("keeps any-only models (other labels null) and rejects out-of-range or missing `any`", () => {
    expect(probabilitiesOf({ any: 0.7 })).toEqual([0.7, null, null, null, null, null]);
    expect(probabilitiesOf({ subdural: 0.7 })).toBeUndefined();
    expect(probabilitiesOf({ any: 1.2 })).toBeUndefined();
    expect(probabilitiesOf([0.1, 0.2])).toBeUndefined();
    expect(parsePredictOutput("not json\n{\"file\":\"x.dcm\",\"any\":0.3}\n").get("x.dcm")).toEqual([0.3, null, null, null, null, null]);
    expect(parsePredictOutput("").size).toBe(0);
  });

  it("reads the Grad-CAM grid of `ich predict --gradcam` and clamps it to [0, 1]", () => {
    const out = JSON.stringify({ file: "a.dcm", label: "any", probability: 0.9, gradcam: { width: 2, height: 2, values: [0, 0.5, 1.2, -0.1], layer: "block5_relu" } });
    expect(parseGradcamOutput(out)).toEqual({ width: 2, height: 2, values: [0, 0.5, 1, 0] });
    expect(parseGradcamOutput(JSON.stringify({ gradcam: { width: 2, height: 2, values: [0, 1] } }))).toBeUndefined();
    expect(parseGradcamOutput("garbage")).toBeUndefined();
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
       console.log(JSON.stringify({ slices: files.map((file, i) => ({ file, probabilities: { any: 0.1 * (i + 1) } })) }));`,
    );
    const make = (storage: string) =>
      new Predictor({ invocation: (args) => ({ command: process.execPath, args: [engine, ...args], env: {} }), cwd: () => dir, storageDir: storage, log: () => {} });
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
