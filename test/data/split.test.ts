import { describe, expect, it } from "vitest";
import { splitByPatient } from "../../src/core/data/split";

const items = Array.from({ length: 200 }, (_, i) => ({ id: `img${i}`, patient: `P${i % 37}` }));

describe("splitByPatient", () => {
  it("never puts one patient on both sides", () => {
    const split = splitByPatient(items, (x) => x.patient, 0.25, 7);
    const train = new Set(split.train.map((x) => x.patient));
    const validation = new Set(split.validation.map((x) => x.patient));
    expect([...validation].filter((p) => train.has(p))).toEqual([]);
    expect(split.train.length + split.validation.length).toBe(items.length);
    expect(split.validationPatients).toBe(validation.size);
  });

  it("is deterministic, independent of input order, and reaches the fraction", () => {
    const a = splitByPatient(items, (x) => x.patient, 0.25, 7);
    const b = splitByPatient([...items].reverse(), (x) => x.patient, 0.25, 7);
    expect(new Set(a.validation.map((x) => x.id))).toEqual(new Set(b.validation.map((x) => x.id)));
    expect(a.validation.length).toBeGreaterThanOrEqual(50);
    expect(a.validation.length).toBeLessThan(50 + 7);
    const c = splitByPatient(items, (x) => x.patient, 0.25, 8);
    expect(new Set(c.validation.map((x) => x.patient))).not.toEqual(new Set(a.validation.map((x) => x.patient)));
  });

  it("keeps at least one patient for training", () => {
    const split = splitByPatient([{ p: "A" }, { p: "B" }], (x) => x.p, 0.9, 1);
    expect(split.train.length).toBe(1);
  });
});
