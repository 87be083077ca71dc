import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dcmjs from "dcmjs";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { decimalStringValue, formatDecimalString } from "../../src/core/synth/decimal-string";
import { writeSyntheticDataset } from "../../src/core/synth";
import { FIELD_OF_VIEW_MM } from "../../src/core/synth/render";
import { parseWithDicomParser } from "./helpers";
import { mulberry32 } from "../../src/core/data/rng";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

describe("formatDecimalString", () => {
  it("keeps short numbers as JavaScript prints them", () => {
    expect(formatDecimalString(-1024)).toBe("-1024");
    expect(formatDecimalString(0.9765625)).toBe("0.9765625");
    expect(formatDecimalString(-124.51171875)).toBe("-124.51171875");
  });

  it("shortens long numbers to at most 16 characters with the closest value", () => {
    const random = mulberry32(11);
    for (let i = 0; i < 2000; i++) {
      const value = (random() - 0.5) * 10 ** Math.floor(random() * 12 - 4);
      const text = formatDecimalString(value);
      expect(text.length).toBeLessThanOrEqual(16);
      expect(Math.abs(Number(text) - value)).toBeLessThanOrEqual(Math.abs(value) * 1e-10);
    }
    expect(formatDecimalString(250 / 96)).toBe("2.60416666666667");
    // Sign, three integer digits and the point leave 11 decimals.
    expect(formatDecimalString(-125 + 250 / 96 / 2)).toBe("-123.69791666667");
    expect(decimalStringValue(-125 + 250 / 96 / 2)).toBe(-123.69791666667);
  });
});

describe("synthetic DICOM decimal strings", () => {
  for (const size of [64, 96, 256]) {
    it(`size ${size}: dcmjs truncates nothing and positions/spacing read back as written`, async () => {
      const warn = vi.spyOn(dcmjs.log, "warn");
      const consoleWarn = vi.spyOn(console, "warn");
      const consoleLog = vi.spyOn(console, "log");
      const dir = mkdtempSync(join(tmpdir(), "ich-synth-ds-"));
      dirs.push(dir);
      const dataset = await writeSyntheticDataset({ out: dir, patients: 1, slices: 3, seed: 5, size });
      const messages = [...warn.mock.calls, ...consoleWarn.mock.calls, ...consoleLog.mock.calls].map((c) => c.join(" "));
      expect(messages.filter((m) => /Truncating/.test(m))).toEqual([]);
      expect(warn).not.toHaveBeenCalled();

      const metadata = readFileSync(dataset.metadataCsv, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
      const spacing = FIELD_OF_VIEW_MM / size;
      for (const [index, file] of dataset.files.entries()) {
        const { ds } = parseWithDicomParser(file);
        const position = ds.string("x00200032")!.split("\\");
        const pixelSpacing = ds.string("x00280030")!.split("\\");
        for (const text of [...position, ...pixelSpacing]) expect(text.length).toBeLessThanOrEqual(16);
        expect(Number(pixelSpacing[0])).toBe(decimalStringValue(spacing));
        expect(Number(pixelSpacing[1])).toBe(decimalStringValue(spacing));
        expect(Math.abs(Number(pixelSpacing[0]) - spacing)).toBeLessThan(1e-12);
        const corner = -FIELD_OF_VIEW_MM / 2 + spacing / 2;
        expect(Number(position[0])).toBe(decimalStringValue(corner));
        expect(Number(position[1])).toBe(decimalStringValue(corner));
        expect(Math.abs(Number(position[0]) - corner)).toBeLessThan(1e-10);
        expect(position[2]).toBe(metadata[index][4]);
      }
    });
  }
});
