import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexImageFolder } from "../../src/core/data/images-index";
import { prepareSample } from "../../src/core/data/preprocess";
import { LABELS } from "../../src/shared/labels";

const root = mkdtempSync(join(tmpdir(), "ich-images-"));

function writePng(file: string, width: number, height: number, rgb: (x: number, y: number) => [number, number, number]): void {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y);
      png.data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  writeFileSync(file, PNG.sync.write(png));
}

beforeAll(() => {
  writePng(join(root, "ID_aa01.png"), 8, 8, (x) => [x * 30, 255, 0]);
  writePng(join(root, "ID_aa02.png"), 8, 8, () => [0, 0, 255]);
  writePng(join(root, "ID_aa03.png"), 8, 8, () => [10, 10, 10]);
  writeFileSync(join(root, "labels.csv"), `ID,${LABELS.join(",")}\nID_aa01,1,0,0,0,0,1\nID_aa02,0,0,0,0,0,0\n`);
  writeFileSync(join(root, "meta.csv"), "SOPInstanceUID,PatientID,StudyInstanceUID,SeriesInstanceUID,ImagePositionPatient\nID_aa01,P1,S1,SE1,\"['0', '0', '5.0']\"\nID_aa02,P1,S1,SE1,\"['0', '0', '10.0']\"\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("images source", () => {
  it("indexes labelled PNGs, groups them by the metadata's patient and links neighbours", async () => {
    const { samples, notes } = await indexImageFolder(root, join(root, "labels.csv"), join(root, "meta.csv"));
    expect(samples.map((s) => s.id)).toEqual(["ID_aa01", "ID_aa02"]);
    expect(samples.map((s) => s.patientId)).toEqual(["P1", "P1"]);
    expect(samples[0].labels).toEqual([1, 0, 0, 0, 0, 1]);
    expect(samples[0].source).toMatchObject({ kind: "image", neighbours: [null, join(root, "ID_aa02.png")] });
    expect(notes.join("\n")).toMatch(/1 of 3 images .* have no labels/);
  });

  it("prepares RGB in [0, 1] at the model size, with neighbour context as extra channels", async () => {
    const { samples } = await indexImageFolder(root, join(root, "labels.csv"), join(root, "meta.csv"));
    const windows = [{ name: "brain", width: 80, level: 40 }];
    const plain = await prepareSample(samples[0], { size: 8, windows, context: 0, rsnaFix: true });
    expect(plain.image).toHaveLength(8 * 8 * 3);
    expect(Array.from(plain.image.subarray(0, 6))).toEqual([0, 1, 0, 30 / 255, 1, 0].map((v): unknown => expect.closeTo(v, 6)));
    const small = await prepareSample(samples[0], { size: 4, windows, context: 0, rsnaFix: true });
    expect(small.image).toHaveLength(4 * 4 * 3);
    const context = await prepareSample(samples[0], { size: 8, windows, context: 1, rsnaFix: true });
    expect(context.image).toHaveLength(8 * 8 * 9);
    // channels: [below (missing → itself), centre, above (ID_aa02: blue)] for pixel 0
    expect(Array.from(context.image.subarray(0, 9))).toEqual([0, 1, 0, 0, 1, 0, 0, 0, 1]);
  });
});
