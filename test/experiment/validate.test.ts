import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ExperimentError,
  experimentTemplate,
  imageSizeForEpoch,
  inputChannels,
  loadExperiment,
  modelLabels,
  pretrainedSource,
  validateExperiment,
  type ExperimentConfig,
} from "../../src/core/experiment";

const examplesDir = resolve(__dirname, "../../examples");

function problemsOf(json: unknown, file = "demo.ich.json"): string[] {
  try {
    validateExperiment(json, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ExperimentError);
    return (error as ExperimentError).problems;
  }
  throw new Error("expected the experiment to be rejected");
}

const minimal = { data: { kind: "synthetic" } };

describe("example experiments", () => {
  const files = readdirSync(examplesDir).filter((f) => f.endsWith(".ich.json"));

  it("has the four documented examples", () => {
    expect(files.sort()).toEqual(["demo.ich.json", "densenet121-multilabel.ich.json", "progressive-resizing.ich.json", "resnet18-baseline.ich.json"]);
  });

  it.each(files)("%s validates", async (file) => {
    const config = await loadExperiment(join(examplesDir, file));
    expect(config.name).toBe(file.replace(".ich.json", ""));
  });

  it("demo is synthetic small-cnn at a small size", async () => {
    const config = await loadExperiment(join(examplesDir, "demo.ich.json"));
    expect(config.data.kind).toBe("synthetic");
    expect(config.model.architecture).toBe("small-cnn");
    expect(config.input.size).toBeLessThanOrEqual(96);
  });

  it("progressive resizing goes 64 → 128 → 256 by epoch", async () => {
    const config = await loadExperiment(join(examplesDir, "progressive-resizing.ich.json"));
    expect([1, 2, 3, 4, 5, 6].map((e) => imageSizeForEpoch(config, e))).toEqual([64, 64, 128, 128, 256, 256]);
  });

  it("densenet recipe has TTA, ±15° rotation and decoupled weight decay", async () => {
    const config = await loadExperiment(join(examplesDir, "densenet121-multilabel.ich.json"));
    expect(config.eval.tta).toBe(true);
    expect(config.train.augment.rotate.degrees).toBe(15);
    expect(config.train.weightDecay).toBeGreaterThan(0);
    expect(config.train.schedule.kind).toBe("one-cycle");
    expect(inputChannels(config)).toBe(3);
  });
});

describe("defaults", () => {
  it("fills every section of a minimal file", () => {
    const config = validateExperiment(minimal, "/x/quick.ich.json");
    const expected: ExperimentConfig = {
      name: "quick",
      data: { kind: "synthetic", patients: 40, slicesPerPatient: 12, seed: 1, size: 256, split: { by: "patient", validationFraction: 0.2, seed: 42 } },
      input: { windows: ["brain", "subdural", "bone"], size: 128, progressiveResizing: [], adjacentSlices: 0 },
      model: { architecture: "resnet18", head: "linear", labels: "all", dropout: 0.2 },
      train: {
        epochs: 10,
        batchSize: 16,
        optimizer: "adamw",
        weightDecay: 0.01,
        schedule: { kind: "one-cycle", maxLr: 0.001, warmupShare: 0.25, divFactor: 25, finalDivFactor: 100000 },
        labelWeights: { any: 2, epidural: 1, intraparenchymal: 1, intraventricular: 1, subarachnoid: 1, subdural: 1 },
        maxBadImageShare: 0.01,
        engine: "auto",
        augment: {
          flip: { p: 0.5 },
          rotate: { degrees: 15, p: 0 },
          zoom: { max: 1.1, p: 0 },
          brightnessContrast: { brightness: 0.1, contrast: 0.1, p: 0 },
        },
        checkpointEvery: 1,
        seed: 42,
        mixedPrecision: false,
        backend: "auto",
        workers: "auto",
      },
      eval: {
        tta: false,
        threshold: 0.5,
        thresholds: { any: 0.5, epidural: 0.5, intraparenchymal: 0.5, intraventricular: 0.5, subarachnoid: 0.5, subdural: 0.5 },
      },
    };
    expect(config).toEqual(expected);
  });

  it("fills defaults of the chosen union branch and keeps given values", () => {
    const config = validateExperiment(
      { data: minimal.data, train: { schedule: { kind: "constant" }, labelWeights: { any: 3 }, earlyStopping: {} }, eval: { threshold: 0.3, thresholds: { subdural: 0.7 } } },
      "e.ich.json",
    );
    expect(config.train.schedule).toEqual({ kind: "constant", lr: 0.001 });
    expect(config.train.labelWeights.any).toBe(3);
    expect(config.train.labelWeights.subdural).toBe(1);
    expect(config.train.earlyStopping).toEqual({ patience: 3, minDelta: 0.001 });
    expect(config.eval.thresholds.subdural).toBe(0.7);
    expect(config.eval.thresholds.any).toBe(0.3);
  });

  it("a resolved config (the run.json snapshot) validates again to itself", async () => {
    for (const file of ["densenet121-multilabel.ich.json", "progressive-resizing.ich.json"]) {
      const config = await loadExperiment(join(examplesDir, file));
      expect(validateExperiment(JSON.parse(JSON.stringify(config)), "/elsewhere/snapshot.json")).toEqual(config);
    }
  });

  it("accepts a $schema reference for editors other than VS Code", () => {
    expect(validateExperiment({ $schema: "../schemas/experiment.schema.json", ...minimal }, "e.ich.json").name).toBe("e");
  });

  it("does not modify the input object", () => {
    const input = structuredClone(minimal);
    validateExperiment(input, "e.ich.json");
    expect(input).toEqual(minimal);
  });

  it("labels any → one output, all → six", () => {
    expect(modelLabels(validateExperiment({ ...minimal, model: { labels: "any" } }, "e.ich.json"))).toEqual(["any"]);
    expect(modelLabels(validateExperiment(minimal, "e.ich.json"))).toHaveLength(6);
  });

  it("adjacent slices multiply the channels", () => {
    expect(inputChannels(validateExperiment({ ...minimal, input: { adjacentSlices: 1 } }, "e.ich.json"))).toBe(9);
  });
});

describe("path resolution", () => {
  it("resolves data paths against the experiment's folder and keeps absolute ones", () => {
    const config = validateExperiment(
      { data: { kind: "rsna", dicomDir: "dcm", labelsCsv: "../labels.csv", metadataCsv: "/abs/meta.csv" } },
      "/projects/exp/a.ich.json",
    );
    expect(config.data).toMatchObject({ dicomDir: "/projects/exp/dcm", labelsCsv: "/projects/labels.csv", metadataCsv: "/abs/meta.csv" });
  });

  it("resolves image data and pretrained paths, leaves URLs and run references alone", () => {
    const images = validateExperiment({ data: { kind: "images", imageDir: "jpg", labels: "labels.fth", metadata: "meta.fth" }, model: { pretrained: "models/m/model.json" } }, "/p/e.ich.json");
    expect(images.data).toMatchObject({ imageDir: "/p/jpg", labels: "/p/labels.fth", metadata: "/p/meta.fth" });
    expect(pretrainedSource(images)).toEqual({ kind: "path", path: "/p/models/m/model.json" });
    const url = validateExperiment({ ...minimal, model: { pretrained: "https://example.org/m/model.json" } }, "/p/e.ich.json");
    expect(pretrainedSource(url)).toEqual({ kind: "url", url: "https://example.org/m/model.json" });
    const run = validateExperiment({ ...minimal, model: { pretrained: "run:20261127-120000-demo" } }, "/p/e.ich.json");
    expect(pretrainedSource(run)).toEqual({ kind: "run", runId: "20261127-120000-demo" });
    expect(pretrainedSource(validateExperiment(minimal, "e.ich.json"))).toBeUndefined();
  });
});

describe("errors name the file and the field path", () => {
  it("range", () => {
    expect(problemsOf({ ...minimal, train: { epochs: 0 } })).toEqual(["demo.ich.json: /train/epochs must be >= 1 (got 0)"]);
  });

  it("unknown keys, listing the allowed ones", () => {
    const problems = problemsOf({ ...minimal, train: { epoch: 3 }, extra: true });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^demo\.ich\.json: \/ has unknown key 'extra' \(allowed: .*name.*data/);
    expect(problems[1]).toMatch(/^demo\.ich\.json: \/train has unknown key 'epoch' \(allowed: epochs, batchSize/);
  });

  it("enum values are listed", () => {
    const [problem] = problemsOf({ ...minimal, model: { architecture: "resnet152" } });
    expect(problem).toBe(
      'demo.ich.json: /model/architecture must be one of: "small-cnn", "resnet18", "resnet34", "resnet50", "resnet101", "densenet121", "alexnet" (got "resnet152")',
    );
  });

  it("AlexNet needs ≥ 63 px at every size; the torchvision head is AlexNet's only", () => {
    expect(problemsOf({ ...minimal, input: { size: 48, progressiveResizing: [{ fromEpoch: 2, size: 62 }, { fromEpoch: 3, size: 63 }] }, model: { architecture: "alexnet" } })).toEqual([
      "demo.ich.json: /input/size 48 is below alexnet's minimum input of 63 px",
      "demo.ich.json: /input/progressiveResizing/0/size 62 is below alexnet's minimum input of 63 px",
    ]);
    expect(problemsOf({ ...minimal, model: { architecture: "resnet50", head: "torchvision" } })).toEqual([
      'demo.ich.json: /model/head "torchvision" is AlexNet\'s classifier; resnet50 takes "linear" or "fastai"',
    ]);
    expect(validateExperiment({ ...minimal, input: { size: 63 }, model: { architecture: "alexnet", head: "torchvision" } }, "a.ich.json").model.head).toBe("torchvision");
  });

  it("train.epochs that disagrees with fineTune is one line naming both", () => {
    expect(problemsOf({ ...minimal, train: { epochs: 3, fineTune: { epochs: 4 } } })).toEqual([
      "demo.ich.json: /train/epochs is 3 but /train/fineTune trains 1 + 4 = 5 epochs; leave /train/epochs out",
    ]);
  });

  it("unknown data kind lists the kinds", () => {
    expect(problemsOf({ data: { kind: "png" } })).toEqual(['demo.ich.json: /data/kind must be one of: "rsna", "images", "synthetic" (got "png")']);
  });

  it("missing required fields", () => {
    expect(problemsOf({ data: { kind: "rsna", dicomDir: "x" } })).toEqual(["demo.ich.json: /data/labelsCsv is required"]);
    expect(problemsOf({})).toEqual(["demo.ich.json: /data is required"]);
    expect(problemsOf({ data: {} })).toEqual(["demo.ich.json: /data/kind is required"]);
  });

  it("a bad window name gets one line naming the presets; a bad custom window names its field", () => {
    const [named] = problemsOf({ ...minimal, input: { windows: ["brain", "lung"] } });
    expect(named).toMatch(/^demo\.ich\.json: \/input\/windows\/1 must be one of: "brain", "subdural", .*"soft-tissue" \(got "lung"\)$/);
    expect(problemsOf({ ...minimal, input: { windows: [{ width: -5, level: 40 }] } })).toEqual(["demo.ich.json: /input/windows/0/width must be > 0 (got -5)"]);
    expect(problemsOf({ ...minimal, input: { windows: [7] } })[0]).toMatch(/\/input\/windows\/0 must be .*or an object \{width, level\} \(got 7\)/);
  });

  it("a bad eval.tta is one line: the allowed forms, then what is wrong inside the object", () => {
    const allowed = "/eval/tta must be false, true, or an object {flip?: boolean, rotate?: [numbers from -45 to 45], zoom?: [numbers from 1 to 2]}";
    const tta = (value: unknown) => problemsOf({ ...minimal, eval: { tta: value } });
    expect(tta({ rotate: "15" })).toEqual([`demo.ich.json: ${allowed} (got {"rotate":"15"}): /eval/tta/rotate must be an array (got "15")`]);
    expect(tta({ zoom: [0] })).toEqual([`demo.ich.json: ${allowed} (got {"zoom":[0]}): /eval/tta/zoom/0 must be >= 1 (got 0)`]);
    expect(tta({ flip: true, spin: 1 })).toEqual([`demo.ich.json: ${allowed} (got {"flip":true,"spin":1}): /eval/tta has unknown key 'spin' (allowed: flip, rotate, zoom)`]);
    expect(tta("yes")).toEqual([`demo.ich.json: ${allowed} (got "yes")`]);
    expect(validateExperiment({ ...minimal, eval: { tta: { flip: false, rotate: [-10, 10], zoom: [1.1] } } }, "demo.ich.json").eval.tta).toEqual({ flip: false, rotate: [-10, 10], zoom: [1.1] });
  });

  it("train.workers, the other oneOf without a discriminator, is one line too", () => {
    expect(problemsOf({ ...minimal, train: { workers: "many" } })).toEqual(['demo.ich.json: /train/workers must be "auto", or an integer ≥ 1 (got "many")']);
    expect(problemsOf({ ...minimal, train: { workers: 0 } })).toEqual(['demo.ich.json: /train/workers must be "auto", or an integer ≥ 1 (got 0)']);
  });

  it("types, and every problem is reported at once", () => {
    const problems = problemsOf({ ...minimal, train: { batchSize: 2.5, mixedPrecision: "yes" }, eval: { threshold: 2 } });
    expect(problems).toEqual([
      "demo.ich.json: /train/batchSize must be an integer (got 2.5)",
      'demo.ich.json: /train/mixedPrecision must be a boolean (got "yes")',
      "demo.ich.json: /eval/threshold must be <= 1 (got 2)",
    ]);
  });

  it("labels file extension and schedule branch fields", () => {
    expect(problemsOf({ data: { kind: "images", imageDir: "a", labels: "labels.txt" } })[0]).toMatch(/^demo\.ich\.json: \/data\/labels must match pattern/);
    expect(problemsOf({ ...minimal, train: { schedule: { kind: "constant", maxLr: 1 } } })[0]).toMatch(/\/train\/schedule has unknown key 'maxLr' \(allowed: kind, lr\)/);
  });

  it("cross-field: progressive resizing epochs", () => {
    const progressiveResizing = [{ fromEpoch: 1, size: 64 }, { fromEpoch: 1, size: 96 }, { fromEpoch: 4, size: 128 }];
    expect(problemsOf({ ...minimal, train: { epochs: 2 }, input: { progressiveResizing } })).toEqual([
      "demo.ich.json: /input/progressiveResizing/1/fromEpoch repeats epoch 1",
      "demo.ich.json: /input/progressiveResizing/2/fromEpoch 4 is after the last epoch (/train/epochs is 2)",
    ]);
  });

  it("the error message carries every problem", () => {
    try {
      validateExperiment({ ...minimal, train: { epochs: 0, batchSize: 0 } }, "x.ich.json");
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain("/train/epochs must be >= 1");
      expect((error as Error).message).toContain("/train/batchSize must be >= 1");
      expect((error as Error).message.startsWith("x.ich.json: 2 problems")).toBe(true);
    }
  });
});

describe("loadExperiment", () => {
  const dir = mkdtempSync(join(tmpdir(), "ich-exp-"));

  it("reports JSON syntax errors with the line", async () => {
    const file = join(dir, "broken.ich.json");
    writeFileSync(file, '{\n  "data": { "kind": "synthetic" },\n  "train": { "epochs": 3, }\n}\n');
    await expect(loadExperiment(file)).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: line 3, .*invalid JSON`));
  });

  it("reports a missing file", async () => {
    await expect(loadExperiment(join(dir, "nope.ich.json"))).rejects.toThrow(/nope\.ich\.json: cannot read the experiment file \(no such file\)/);
  });

  it.each(["synthetic", "rsna", "images"] as const)("the %s template validates and is pretty JSON", (kind) => {
    const text = experimentTemplate(kind, "t1");
    expect(text.endsWith("}\n")).toBe(true);
    const config = validateExperiment(JSON.parse(text), join(dir, "t1.ich.json"));
    expect(config.name).toBe("t1");
    expect(config.data.kind).toBe(kind);
  });

  it("the schema file is what package.json contributes to VS Code", () => {
    const pkg = JSON.parse(readFileSync(resolve(__dirname, "../../package.json"), "utf8")) as { contributes: { jsonValidation: unknown[] } };
    expect(pkg.contributes.jsonValidation).toContainEqual({ fileMatch: "*.ich.json", url: "./schemas/experiment.schema.json" });
  });
});

describe("schema agrees with the engine", () => {
  it("window presets are exactly the imaging core's named windows", async () => {
    const { WINDOW_NAMES } = await import("../../src/shared/window");
    const { experimentSchema } = await import("../../src/core/experiment");
    const definitions = experimentSchema.definitions as { window: { anyOf: { enum?: string[] }[] } };
    expect([...(definitions.window.anyOf[0].enum ?? [])].sort()).toEqual([...WINDOW_NAMES].sort());
  });
});

describe("data subsets and the split unit", () => {
  const images = (extra: Record<string, unknown>, split?: Record<string, unknown>) => ({ data: { kind: "images", imageDir: "jpg", labels: "labels.csv", ...extra, ...(split ? { split } : {}) } });

  it("an image folder without patient information cannot split by patient", () => {
    const problems = problemsOf(images({}));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/demo\.ich\.json: \/data\/split\/by is "patient" but the image folder has no patient information \(\/data\/metadata\).*"image"/);
  });

  it("split.by image is the explicit opt-in; a metadata table makes the patient split valid", () => {
    expect(validateExperiment(images({}, { by: "image" }), "/x/a.ich.json").data.split.by).toBe("image");
    expect(validateExperiment(images({ metadata: "meta.fth" }), "/x/a.ich.json").data.split.by).toBe("patient");
  });

  it("where takes 0/1 per known label; exclude resolves against the experiment folder", () => {
    const config = validateExperiment(images({ metadata: "m.csv", exclude: "clean/exclude.csv", where: { any: 1 } }), "/x/a.ich.json");
    expect(config.data.kind === "images" && config.data.exclude).toBe("/x/clean/exclude.csv");
    expect(config.data.kind === "images" && config.data.where).toEqual({ any: 1 });
    expect(problemsOf(images({ metadata: "m.csv", where: { bleed: 1 } })).join("\n")).toMatch(/\/data\/where has unknown key 'bleed'/);
    expect(problemsOf(images({ metadata: "m.csv", where: { any: 2 } })).join("\n")).toMatch(/\/data\/where\/any must be one of: 0, 1/);
  });
});
