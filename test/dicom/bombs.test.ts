import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeDicom, DicomError, readDicom, type DicomErrorCode } from "../../src/core/dicom";
import { MAX_FRAME_SAMPLES } from "../../src/core/dicom/decode";
import { decodeJpeg12 } from "../../src/core/dicom/jpeg12";
import { encodeGradient, patchJ2kSize, patchJpegFrameSize, SYNTAX, uniformJpeg, writeBombFiles, type BombFile } from "../helpers/dicom-bombs";
import { makeEncapsulated, rleFrame16, type ImageSpec } from "./make-dicom";

const GiB = 2 ** 30;
const dir = mkdtempSync(join(tmpdir(), "ich-dicom-bombs-"));
const bombs: Promise<BombFile[]> = writeBombFiles(dir);

async function rejection(promise: Promise<unknown>): Promise<DicomError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DicomError);
  return error as DicomError;
}

/** Refused with `code`, naming the file, while the process grew by less than 1 GiB. */
async function expectRefused(decode: () => Promise<unknown>, file: string, code: DicomErrorCode): Promise<DicomError> {
  const before = process.memoryUsage().rss;
  const error = await rejection(decode());
  expect(process.memoryUsage().rss - before).toBeLessThan(GiB);
  expect(error.code).toBe(code);
  expect(error.file).toBe(file);
  expect(error.message).toContain(file);
  return error;
}

describe("decompression bombs are refused before decoding", () => {
  const codecs = ["jpeg-baseline", "jpeg-extended-12bit", "jpeg-lossless", "jpeg-ls", "jpeg2000"] as const;
  for (const codec of codecs) {
    it(`${codec}: a codestream header claiming more than Rows/Columns is a size mismatch`, async () => {
      const bomb = (await bombs).find((b) => b.codec === codec && b.name.includes("codestream-claims"))!;
      const error = await expectRefused(() => readDicom(bomb.path), bomb.path, "size-mismatch");
      const { rows, columns } = bomb.claimed;
      expect(error.reason).toContain(`frame 1: the`);
      expect(error.reason).toContain(`claims an image of ${columns}x${rows} pixels`);
      expect(error.reason).toContain("64x64 (Columns x Rows)");
    });
    it(`${codec}: a data set agreeing with the huge claim exceeds the frame size limit`, async () => {
      const bomb = (await bombs).find((b) => b.codec === codec && b.name.includes("both-claim"))!;
      const error = await expectRefused(() => readDicom(bomb.path), bomb.path, "too-large");
      expect(error.reason).toContain(`${bomb.claimed.rows}x${bomb.claimed.columns}x1 samples`);
      expect(error.reason).toContain(`limit of ${MAX_FRAME_SAMPLES} samples per frame`);
    });
  }
  it("rle: Rows/Columns 65535 over a 64x64 frame exceeds the frame size limit", async () => {
    const bomb = (await bombs).find((b) => b.codec === "rle")!;
    await expectRefused(() => readDicom(bomb.path), bomb.path, "too-large");
  });
  it("native: 65535x65535 x 1000 frames stated over 8 KiB of pixel data exceeds the limits", async () => {
    const bomb = (await bombs).find((b) => b.codec === "native")!;
    const error = await expectRefused(() => readDicom(bomb.path), bomb.path, "too-large");
    expect(error.reason).toContain("65535x65535x1 samples");
  });
  it("every decoder has a bomb", async () => {
    expect(new Set((await bombs).map((b) => b.codec))).toEqual(new Set([...codecs, "rle", "native"]));
  });
});

// Claims inside the frame limit (2048x2048) but far beyond what the encoded bytes can hold.
describe("a frame too short for its claimed size is refused before decoding", () => {
  const size = 2048;
  const spec = (bits: number): ImageSpec => ({ rows: size, columns: size, bitsAllocated: bits <= 8 ? 8 : 16, bitsStored: bits });
  const cases = [
    ["jpeg-baseline", "baseline", 8, 2 * (size / 8) ** 2 / 8],
    ["jpeg-extended-12bit", "extended", 12, 2 * (size / 8) ** 2 / 8],
    ["jpeg-lossless", "lossless", 16, size ** 2 / 8],
  ] as const;
  for (const [codec, process, bits, needed] of cases) {
    it(`${codec}: needs at least ${needed} bytes for ${size}x${size}`, async () => {
      const stream = patchJpegFrameSize(uniformJpeg(process, 64, 64, bits), size, size);
      const file = `${codec}-short.dcm`;
      const error = await expectRefused(() => decodeDicom(makeEncapsulated(spec(bits), SYNTAX[codec], [stream], []), file), file, "truncated");
      expect(error.reason).toContain(`cannot hold ${size}x${size}x1 samples (at least ${needed} bytes needed)`);
    });
  }
  it("rle: a segment that cannot expand to the frame is refused", async () => {
    const file = "rle-short.dcm";
    const frame = rleFrame16(Array.from({ length: 64 * 64 }, (_, i) => i));
    const error = await expectRefused(() => decodeDicom(makeEncapsulated(spec(16), SYNTAX.rle, [frame], []), file), file, "decode-failed");
    expect(error.reason).toMatch(/RLE segment 1 has \d+ bytes, which cannot expand to 4194304/);
  });
  it("jpeg 12-bit: entropy-coded data that runs out is an error, not zeros", () => {
    const stream = uniformJpeg("extended", 64, 64, 12);
    // Drop the last entropy byte (the 64 blocks take 16 bytes before EOI).
    const cut = new Uint8Array([...stream.subarray(0, stream.length - 3), 0xff, 0xd9]);
    expect(() => decodeJpeg12(cut)).toThrow(/entropy-coded data ends at byte \d+ before the scan's last block/);
    expect(decodeJpeg12(stream).every((v) => v === 2048)).toBe(true);
  });
});

describe("the codestream header must agree with the data set", () => {
  it("component count", async () => {
    const file = "rgb-says-3.dcm";
    const spec: ImageSpec = { rows: 64, columns: 64, bitsAllocated: 8, samplesPerPixel: 3, photometric: "RGB", planarConfiguration: 0 };
    const error = await expectRefused(() => decodeDicom(makeEncapsulated(spec, SYNTAX["jpeg-baseline"], [uniformJpeg("baseline", 64, 64, 8)], []), file), file, "size-mismatch");
    expect(error.reason).toContain("claims components: 1 but the data set says SamplesPerPixel 3");
  });
  it("precision above BitsAllocated", async () => {
    const file = "16-bit-stream-8-bit-data-set.dcm";
    const spec: ImageSpec = { rows: 64, columns: 64, bitsAllocated: 8 };
    const error = await expectRefused(() => decodeDicom(makeEncapsulated(spec, SYNTAX["jpeg-lossless"], [uniformJpeg("lossless", 64, 64, 16)], []), file), file, "size-mismatch");
    expect(error.reason).toContain("claims precision 16 bits but the data set says BitsAllocated 8");
  });
  it("JPEG 2000 inside a JP2 file is checked too", async () => {
    const j2k = patchJ2kSize(await encodeGradient("jpeg2000", 64, 64), 30000, 30000);
    const box = (type: string, body: Uint8Array) => {
      const head = new DataView(new ArrayBuffer(8));
      head.setUint32(0, body.length + 8);
      [...type].forEach((ch, i) => head.setUint8(4 + i, ch.charCodeAt(0)));
      return new Uint8Array([...new Uint8Array(head.buffer), ...body]);
    };
    const jp2 = new Uint8Array([...box("jP  ", new Uint8Array([0x0d, 0x0a, 0x87, 0x0a])), ...box("ftyp", new TextEncoder().encode("jp2 \0\0\0\0jp2 ")), ...box("jp2c", j2k)]);
    const file = "jp2.dcm";
    const error = await expectRefused(() => decodeDicom(makeEncapsulated({ rows: 64, columns: 64 }, SYNTAX.jpeg2000, [jp2], []), file), file, "size-mismatch");
    expect(error.reason).toContain("JPEG 2000 codestream header claims an image of 30000x30000 pixels");
  });
});

describe("codec errors are readable", () => {
  it("libjpeg-turbo's thrown C string, not an exception pointer", async () => {
    const stream = uniformJpeg("baseline", 64, 64, 8);
    // Drop the Huffman tables: the header is then unusable.
    const noTables = new Uint8Array([...stream.subarray(0, 2 + 69 + 13), ...stream.subarray(2 + 69 + 13 + 44)]);
    const file = "no-huffman.dcm";
    const error = await expectRefused(() => decodeDicom(makeEncapsulated({ rows: 64, columns: 64, bitsAllocated: 8 }, SYNTAX["jpeg-baseline"], [noTables], []), file), file, "decode-failed");
    expect(error.reason).toMatch(/^frame 1: JPEG baseline \(libjpeg-turbo\) failed: [a-z]{3}/i);
    expect(error.reason).not.toMatch(/: \d+$/);
  });
  it("CharLS's exception message", async () => {
    const stream = await encodeGradient("jpeg-ls", 64, 64);
    const corrupt = stream.slice();
    corrupt.fill(0xff, 40, 60);
    const file = "corrupt-jls.dcm";
    const error = await expectRefused(() => decodeDicom(makeEncapsulated({ rows: 64, columns: 64 }, SYNTAX["jpeg-ls"], [corrupt], []), file), file, "decode-failed");
    expect(error.reason).toMatch(/^frame 1: JPEG-LS \(CharLS\) failed: [A-Z][a-z]+ /);
  });
});
