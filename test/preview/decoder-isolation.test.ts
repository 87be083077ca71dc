// The preview decodes in a child process with a time and a memory limit: a decoder that hangs or
// balloons costs one error naming the file, the test process (standing in for the extension host)
// carries on, and the next file decodes in a fresh process.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { DicomError } from "../../src/core/dicom/types";
import { encodeCtSlice } from "../../src/core/synth";
import { DecoderProcess, sliceDecoderEntry } from "../../src/extension/preview/decoder-process";
import { SliceLoader } from "../../src/extension/preview/slice-loader";
import { writeBombFiles } from "../helpers/dicom-bombs";

const dir = mkdtempSync(join(tmpdir(), "ich-decoder-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 32×32 CT slice whose HU values are x + 100·y - 1000 (exact in int16). */
function goodSlice(name: string, instanceNumber = 1): string {
  const hu = new Float32Array(32 * 32).map((_, i) => (i % 32) + 100 * Math.floor(i / 32) - 1000);
  const uid = "2.25.1";
  const bytes = encodeCtSlice(
    hu,
    { rows: 32, columns: 32, pixelSpacing: 0.5, sliceThickness: 5 },
    { sopInstanceUid: `${uid}.${instanceNumber}`, studyInstanceUid: `${uid}.100`, seriesInstanceUid: `${uid}.200`, frameOfReferenceUid: `${uid}.300`, patientId: "P", instanceNumber, z: instanceNumber * 5 },
    "signed16",
  );
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const hostileEntry = { script: join(__dirname, "fixtures", "hostile-decoder.ts"), execArgv: sliceDecoderEntry().execArgv };

describe("slice decoder isolation", () => {
  let decoder: DecoderProcess;
  afterEach(() => decoder?.dispose());

  it("decodes a good slice in the child process with its exact HU and tags", async () => {
    decoder = new DecoderProcess();
    const loader = new SliceLoader(decoder);
    const file = goodSlice("good.dcm");
    const slice = await loader.load(file, 0);
    expect(decoder.starts).toBe(1);
    expect([slice.width, slice.height, slice.pixelType]).toEqual([32, 32, "int16"]);
    const hu = new Int16Array(slice.pixels);
    expect([hu[0], hu[31], hu[32 * 31]]).toEqual([-1000, -969, 2100]);
    expect(slice.tags.some((t) => t.name === "PatientID" && t.value === "P")).toBe(true);
    // The host keeps the payload: a second load does not ask the decoder again.
    expect(await loader.load(file, 0)).toBe(slice);
  });

  it("warm() starts the process ahead of the first request, which then uses it", async () => {
    decoder = new DecoderProcess();
    decoder.warm();
    decoder.warm();
    expect(decoder.starts).toBe(1);
    expect((await new SliceLoader(decoder).load(goodSlice("warm.dcm"), 0)).width).toBe(32);
    expect(decoder.starts).toBe(1);
  });

  it("stops a decoder that hangs after the time limit, says so for that file, and decodes the next file in a fresh process", async () => {
    decoder = new DecoderProcess({ entry: hostileEntry, timeLimitMs: 1500 });
    const loader = new SliceLoader(decoder);
    const hung = goodSlice("spin.dcm");
    const good = goodSlice("next-good.dcm");
    // The loop never returns: that this test thread gets an answer at all shows it ran elsewhere.
    const error = await loader.load(hung, 0).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "DicomError", file: hung, code: "decode-failed" });
    expect((error as Error).message).toBe(`${hung}: decoding took longer than 2 s — the file may be hostile or corrupt`);
    const slice = await loader.load(good, 0);
    expect(slice.width).toBe(32);
    expect(decoder.starts).toBe(2);
    // Coming back to the hostile slice repeats its error without another 2 s in the decoder.
    await expect(loader.load(hung, 0)).rejects.toBe(error);
    expect(decoder.starts).toBe(2);
  });

  it("kills a decoder that allocates past the memory limit, names the file, and decodes the next file in a fresh process", async () => {
    decoder = new DecoderProcess({ entry: hostileEntry, memoryLimitBytes: 384 * 1024 ** 2, timeLimitMs: 60_000 });
    const loader = new SliceLoader(decoder);
    const bomb = goodSlice("balloon.dcm");
    const good = goodSlice("queued-good.dcm");
    // Queued behind the bomb: it must survive the crash and run in the next process.
    const [bombResult, goodResult] = await Promise.allSettled([loader.load(bomb, 0), loader.load(good, 0)]);
    expect(bombResult.status).toBe("rejected");
    const error = (bombResult as PromiseRejectedResult).reason as DicomError;
    expect(error).toMatchObject({ name: "DicomError", file: bomb, code: "decode-failed" });
    expect(error.reason).toBe("decoding needed more than 384 MiB of memory — the file may be hostile or corrupt");
    expect(goodResult.status).toBe("fulfilled");
    expect(decoder.starts).toBe(2);
  });

  it("reads series headers in the decoder and confines a hanging header to its own file", async () => {
    decoder = new DecoderProcess({ entry: hostileEntry, timeLimitMs: 1500 });
    const loader = new SliceLoader(decoder);
    const files = [goodSlice("h1.dcm", 1), goodSlice("h-spin.dcm", 2), goodSlice("h3.dcm", 3)];
    const headers = await loader.headers(files);
    expect(headers.map((h) => (h instanceof Error ? h.message : h.instanceNumber))).toEqual([1, `${files[1]}: decoding took longer than 2 s — the file may be hostile or corrupt`, 3]);
  });

  it("answers every decompression bomb with an error naming it, and still decodes a good file after them", async () => {
    decoder = new DecoderProcess();
    const loader = new SliceLoader(decoder);
    const bombs = await writeBombFiles(join(dir, "bombs"));
    expect(bombs.length).toBeGreaterThan(5);
    for (const bomb of bombs) {
      await expect(loader.load(bomb.path, 0), bomb.name).rejects.toMatchObject({ name: "DicomError", file: bomb.path });
    }
    expect((await loader.load(goodSlice("after-bombs.dcm"), 0)).width).toBe(32);
  });

  it("reports a corrupt file with the core's own error, without restarting the process", async () => {
    decoder = new DecoderProcess();
    const loader = new SliceLoader(decoder);
    const cut = join(dir, "cut.dcm");
    writeFileSync(cut, readFileSync(goodSlice("whole.dcm")).subarray(0, 600));
    await expect(loader.load(cut, 0)).rejects.toMatchObject({ name: "DicomError", file: cut });
    expect((await loader.load(goodSlice("next.dcm"), 0)).width).toBe(32);
    expect(decoder.starts).toBe(1);
  });
});
