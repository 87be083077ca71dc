import { describe, expect, it } from "vitest";
import { configDiff, flattenConfig } from "../../src/shared/flatten";
import { toCsv } from "../../src/shared/csv";

describe("flattenConfig", () => {
  it("flattens nested objects to dotted paths and keeps arrays as JSON leaves", () => {
    expect(flattenConfig({ model: { architecture: "resnet18", dropout: 0.2 }, input: { windows: ["brain", "bone"] }, name: "x", empty: {}, none: null })).toEqual({
      "model.architecture": "resnet18",
      "model.dropout": "0.2",
      "input.windows": '["brain","bone"]',
      name: "x",
      empty: "{}",
      none: "null",
    });
  });
});

describe("configDiff", () => {
  it("keeps only keys whose values differ, including keys one config lacks", () => {
    const a = { model: { architecture: "small-cnn", dropout: 0 }, train: { epochs: 3, schedule: { kind: "constant", lr: 0.003 } } };
    const b = { model: { architecture: "alexnet", dropout: 0 }, train: { epochs: 3, schedule: { kind: "constant", lr: 0.001 } }, eval: { tta: true } };
    expect(configDiff([a, b])).toEqual([
      { key: "eval.tta", values: [undefined, "true"] },
      { key: "model.architecture", values: ["small-cnn", "alexnet"] },
      { key: "train.schedule.lr", values: ["0.003", "0.001"] },
    ]);
  });

  it("is empty for identical configs and handles 20 runs", () => {
    const configs = Array.from({ length: 20 }, (_, i) => ({ seed: 1, lr: i === 7 ? 0.5 : 0.1 }));
    expect(configDiff([configs[0], { ...configs[0] }])).toEqual([]);
    const diff = configDiff(configs);
    expect(diff.map((d) => d.key)).toEqual(["lr"]);
    expect(diff[0].values.filter((v) => v === "0.5")).toHaveLength(1);
  });
});

describe("toCsv", () => {
  it("quotes commas, quotes and newlines, and leaves missing or non-finite numbers empty", () => {
    expect(toCsv([["a", 'say "hi"', "x,y"], [1.5, undefined, Number.NaN], ["line\nbreak", null, 0]])).toBe('a,"say ""hi""","x,y"\r\n1.5,,\r\n"line\nbreak",,0\r\n');
  });
});
