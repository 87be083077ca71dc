import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { encodePng, loadHuSlice } from "../../src/core/imaging";
import { HAS_SHARED_DATA, readReference, SHARED_DATA } from "../helpers/shared-data";

const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
const min = (a: Float32Array) => a.reduce((m, v) => (v < m ? v : m), Infinity);
const max = (a: Float32Array) => a.reduce((m, v) => (v > m ? v : m), -Infinity);

describe.skipIf(!HAS_SHARED_DATA)("loadHuSlice on real files", () => {
  const corpus = join(SHARED_DATA, "dicom-corpus");
  // A skipped describe's body still runs while tests are collected, so the read needs its own guard.
  const reference = new Map(HAS_SHARED_DATA ? readReference("dicom-corpus").map((r) => [r.file, r] as const) : []);

  it("gives the reference HU of real RSNA slices (signed 16-bit and 12-bit unsigned)", async () => {
    for (const file of ["rsna_explicitLE_16bit_signed.dcm", "rsna_implicitLE_12bit_unsigned.dcm", "CT_small.dcm"]) {
      const ref = reference.get(file)!;
      const slice = await loadHuSlice(join(corpus, file));
      expect([slice.rows, slice.columns, slice.hu.length]).toEqual([ref.rows, ref.cols, ref.rows * ref.cols]);
      expect(slice.rsnaFixApplied).toBe(false);
      expect(mean(slice.hu)).toBeCloseTo(ref.hu_mean, 2);
      expect(min(slice.hu)).toBe(ref.hu_min);
      expect(max(slice.hu)).toBe(ref.hu_max);
    }
  });

  it("reads a chosen frame of a multi-frame file and names the file for a missing one", async () => {
    const file = join(corpus, "pydicomdata_eCT_Supplemental.dcm");
    const first = await loadHuSlice(file, { frame: 0 });
    const second = await loadHuSlice(file, { frame: 1 });
    expect(second.frame).toBe(1);
    expect(first.hu.some((v, i) => v !== second.hu[i])).toBe(true);
    await expect(loadHuSlice(file, { frame: 2 })).rejects.toThrow(/pydicomdata_eCT_Supplemental\.dcm: frame 2 does not exist \(the file has 2 frames/);
  });

  it("refuses non-CT images (MR, colour US) with a clear message and code not-ct", async () => {
    await expect(loadHuSlice(join(corpus, "notzaki_US_Explicit_Big_RGB.dcm"))).rejects.toThrow(/notzaki_US_Explicit_Big_RGB\.dcm: modality US is not CT/);
    const mr = join(corpus, "MR_small_jpeg_ls_lossless.dcm");
    await expect(loadHuSlice(mr)).rejects.toMatchObject({ code: "not-ct", message: `${mr}: modality MR is not CT; the ICH models are trained on head CT` });
  });

  it("accepts a headless grayscale file without Modality", async () => {
    const slice = await loadHuSlice(join(corpus, "pydicomdata_JLSL_16_15_1_1F.dcm"));
    expect(slice.header.modality).toBeUndefined();
    expect([slice.rows, slice.columns]).toEqual([128, 128]);
  });
});

describe("encodePng", () => {
  it("round-trips RGBA pixels through pngjs", () => {
    const rgba = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 255, 40, 50, 60, 255, 70, 80, 90, 255]);
    const png = PNG.sync.read(encodePng(rgba, 3, 2));
    expect([png.width, png.height]).toEqual([3, 2]);
    expect(Array.from(png.data)).toEqual(Array.from(rgba));
    expect(() => encodePng(rgba, 2, 2)).toThrow(/not 2x2 RGBA/);
  });
});
