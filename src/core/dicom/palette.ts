import type { DataSet } from "dicom-parser";
import { DicomError, type DecodedDicom } from "./types";

type Palette = NonNullable<DecodedDicom["palette"]>;

/** Reads one colour's LUT: descriptor (entries, first index, bits) and data, scaled to 0..255. */
function readLut(dataSet: DataSet, descriptorTag: string, dataTag: string, file: string, colour: string): { table: Uint8Array; firstIndex: number } {
  const descriptor = dataSet.elements[descriptorTag];
  const data = dataSet.elements[dataTag];
  if (!descriptor || descriptor.length < 6 || !data || data.length === 0) {
    throw new DicomError(file, "missing-attribute", `PALETTE COLOR image without a ${colour} palette lookup table`);
  }
  const entries = dataSet.uint16(descriptorTag, 0) || 65536;
  const firstIndex = dataSet.uint16(descriptorTag, 1) ?? 0;
  const bits = dataSet.uint16(descriptorTag, 2) ?? 16;
  const table = new Uint8Array(entries);
  const bytes = dataSet.byteArray as Uint8Array;
  if (data.length === entries) {
    table.set(bytes.subarray(data.dataOffset, data.dataOffset + entries));
  } else if (data.length >= 2 * entries) {
    for (let i = 0; i < entries; i++) {
      const word = dataSet.uint16(dataTag, i) ?? 0;
      table[i] = bits === 8 ? word & 0xff : word >> 8;
    }
  } else {
    throw new DicomError(file, "decode-failed", `${colour} palette has ${data.length} bytes for ${entries} entries`);
  }
  return { table, firstIndex };
}

export function readPalette(dataSet: DataSet, file: string): Palette {
  const red = readLut(dataSet, "x00281101", "x00281201", file, "red");
  const green = readLut(dataSet, "x00281102", "x00281202", file, "green");
  const blue = readLut(dataSet, "x00281103", "x00281203", file, "blue");
  return { red: red.table, green: green.table, blue: blue.table, firstIndex: red.firstIndex };
}
