import { describe, expect, it } from "vitest";
import type { SliceMessage } from "../../src/protocol/preview";
import { ClientSliceCache } from "../../webview/preview/slice-cache";

function slice(index: number, frame = 0): SliceMessage {
  return {
    type: "slice", index, total: 10, file: `/s/${index}.dcm`, fileName: `${index}.dcm`, frame, frames: 2, width: 1, height: 1,
    pixelType: "int16", pixels: new ArrayBuffer(2), monochrome1: false, photometric: "MONOCHROME2", transferSyntax: "1.2.840.10008.1.2.1", decodeMs: 1,
  };
}

describe("webview slice cache", () => {
  it("keeps the most recently used slices per index and frame", () => {
    const cache = new ClientSliceCache(3);
    cache.put(slice(1));
    cache.put(slice(2));
    cache.put(slice(2, 1));
    expect(cache.get(1, 0)?.fileName).toBe("1.dcm"); // refreshes slice 1
    cache.put(slice(3)); // evicts slice 2 frame 0, the least recently used
    expect(cache.has(2, 0)).toBe(false);
    expect(cache.get(2, 1)?.frame).toBe(1);
    expect(cache.has(1, 0) && cache.has(3, 0)).toBe(true);
    cache.clear();
    expect(cache.get(1, 0)).toBeUndefined();
  });

  it("asks only for uncached neighbours inside the series, nearest first", () => {
    const cache = new ClientSliceCache(10);
    cache.put(slice(5));
    cache.put(slice(6));
    expect(cache.missingAround(5, 10, 2)).toEqual([4, 7, 3]);
    expect(cache.missingAround(0, 3, 4)).toEqual([1, 2]);
    expect(cache.missingAround(9, 10, 1)).toEqual([8]);
  });
});
