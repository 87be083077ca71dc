import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WINDOWS, windowToRgba } from "../../src/shared/window";
import { SliceLoader } from "../../src/extension/preview/slice-loader";
import { encodeHu } from "../../src/extension/preview/slice-data";
import { huToRgba, modelViewToRgba, makeWindow } from "../../webview/preview/render";
import { HAS_SHARED_DATA, SHARED_DATA } from "../helpers/shared-data";

const corpus = (name: string) => join(SHARED_DATA, "dicom-corpus", name);

function rgbaFor(pixels: ArrayBuffer, pixelType: string, window: ReturnType<typeof makeWindow>, invert: boolean): Uint8ClampedArray {
  const hu = pixelType === "int16" ? new Int16Array(pixels) : new Float32Array(pixels);
  return huToRgba(hu, window, invert, new Uint8ClampedArray(hu.length * 4));
}

function differingPixels(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  return n;
}

describe("HU payload encoding", () => {
  it("uses int16 only when it is exact", () => {
    expect(encodeHu(Float32Array.from([-1024, 0, 3071])).pixelType).toBe("int16");
    expect(encodeHu(Float32Array.from([-1024, 0.5])).pixelType).toBe("float32");
    expect(encodeHu(Float32Array.from([40000])).pixelType).toBe("float32");
    const encoded = encodeHu(Float32Array.from([-1000, 12, 35]));
    expect(Array.from(new Int16Array(encoded.pixels))).toEqual([-1000, 12, 35]);
  });

  it("the int16 lookup table gives the same pixels as the core's float windowing", () => {
    const values = Float32Array.from({ length: 4000 }, (_, i) => i - 2000);
    for (const window of [WINDOWS.brain, WINDOWS.bone, WINDOWS.stroke, makeWindow(1, 7)]) {
      const viaLut = huToRgba(Int16Array.from(values), window, false, new Uint8ClampedArray(values.length * 4));
      const viaCore = windowToRgba(values, window);
      expect(differingPixels(viaLut, viaCore)).toBe(0);
    }
  });
});

describe.skipIf(!HAS_SHARED_DATA)("real slices through the extension's loader and the webview's renderer", () => {
  const loader = new SliceLoader();

  it("an RSNA slice: brain and bone windows give different images, model view is colour", async () => {
    const slice = await loader.load(join(SHARED_DATA, "rsna-samples", "ID_0000ca2f6.dcm"), 0);
    expect([slice.width, slice.height, slice.pixelType]).toEqual([512, 512, "int16"]);
    expect(slice.tags.length).toBeGreaterThan(10);
    const brain = rgbaFor(slice.pixels, slice.pixelType, WINDOWS.brain, slice.monochrome1);
    const bone = rgbaFor(slice.pixels, slice.pixelType, WINDOWS.bone, slice.monochrome1);
    expect(differingPixels(brain, bone)).toBeGreaterThan(512 * 512 * 0.05);
    const hu = new Int16Array(slice.pixels);
    const model = modelViewToRgba(hu, new Uint8ClampedArray(hu.length * 4));
    let coloured = 0;
    for (let i = 0; i < model.length; i += 4) if (model[i] !== model[i + 1] || model[i + 1] !== model[i + 2]) coloured++;
    expect(coloured).toBeGreaterThan(1000);
  });

  it("MONOCHROME1 is flagged and displays inverted", async () => {
    const slice = await loader.load(corpus("octave_simple-test_MONOCHROME1.dcm"), 0);
    expect(slice.monochrome1).toBe(true);
    const window = makeWindow(80, 40);
    const plain = rgbaFor(slice.pixels, slice.pixelType, window, false);
    const shown = rgbaFor(slice.pixels, slice.pixelType, window, slice.monochrome1);
    for (let i = 0; i < plain.length; i += 4) expect(shown[i]).toBe(255 - plain[i]);
    // stored 0 = the lowest value: white in MONOCHROME1
    expect(shown[0]).toBe(255);
  });

  it("RGB and palette images arrive as colour RGBA", async () => {
    for (const name of ["notzaki_US_Explicit_Big_RGB.dcm", "octave_US-PAL-8-10x-echo.dcm"]) {
      const slice = await loader.load(corpus(name), 0);
      expect(slice.pixelType).toBe("rgba8");
      const rgba = new Uint8Array(slice.pixels);
      expect(rgba.length).toBe(slice.width * slice.height * 4);
      let coloured = 0;
      for (let i = 0; i < rgba.length; i += 4) if (rgba[i] !== rgba[i + 1] || rgba[i + 1] !== rgba[i + 2]) coloured++;
      expect(coloured, name).toBeGreaterThan(100);
    }
  });

  it("multi-frame files load any frame and report the frame count", async () => {
    const slice = await loader.load(corpus("octave_US-PAL-8-10x-echo.dcm"), 9);
    expect([slice.frame, slice.frames]).toEqual([9, 10]);
  });

  it("a broken file fails with the core's DicomError naming the file", async () => {
    await expect(loader.load(corpus("MR_truncated.dcm"), 0)).rejects.toMatchObject({ name: "DicomError", file: corpus("MR_truncated.dcm") });
  });
});
