export type TemplateKind = "synthetic" | "rsna" | "images";

const DATA: Record<TemplateKind, Record<string, unknown>> = {
  synthetic: { kind: "synthetic", patients: 40, slicesPerPatient: 12, seed: 1, size: 128 },
  rsna: {
    kind: "rsna",
    dicomDir: "data/stage_2_train",
    labelsCsv: "data/stage_2_train.csv",
    split: { by: "patient", validationFraction: 0.2, seed: 42 },
  },
  images: {
    kind: "images",
    imageDir: "data/train_jpg",
    labels: "data/labels.fth",
    metadata: "data/metadata.fth",
    split: { by: "patient", validationFraction: 0.2, seed: 42 },
  },
};

/** Starter experiment file text (2-space JSON + newline) for "ICH: New Experiment". It validates as is. */
export function experimentTemplate(kind: TemplateKind, name = "my-experiment"): string {
  const template = {
    name,
    description: "Describe what this experiment tries.",
    data: DATA[kind],
    input: { windows: ["brain", "subdural", "bone"], size: kind === "synthetic" ? 96 : 128 },
    model: { architecture: kind === "synthetic" ? "small-cnn" : "resnet18", labels: "all" },
    train: {
      epochs: kind === "synthetic" ? 4 : 10,
      batchSize: 16,
      weightDecay: 0.01,
      schedule: { kind: "one-cycle", maxLr: 0.001, warmupShare: 0.25 },
      augment: { flip: { p: 0.5 }, rotate: { degrees: 15, p: 0.5 } },
      seed: 42,
    },
    eval: { tta: false, threshold: 0.5 },
  };
  return `${JSON.stringify(template, null, 2)}\n`;
}
