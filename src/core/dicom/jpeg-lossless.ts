import { Decoder } from "jpeg-lossless-decoder-js";

/**
 * jpeg-lossless-decoder-js 2.1 with its end-of-data check corrected.
 *
 * When the decoder's byte reader meets a marker (0xFF followed by non-zero), it loads the 0xFF into
 * the low 8 bits of its bit buffer and sets `markerIndex = 9`; after each Huffman code or
 * difference it reports "ran into the marker" when fewer than `markerIndex` bits remain. The
 * marker occupies exactly 8 bits, so a code that ends exactly on the last data bit (8 bits left,
 * all of them the marker's) is wrongly treated as truncated: the sample is dropped (the last
 * sample of a scan stays 0) or, before a restart marker, written without its difference. Upstream
 * patched only the difference bits of the last pixel (`!isLastPixel()` in getn); the Huffman code
 * path has the same off-by-one. Storing 8 wherever the library stores 9 makes the test exact:
 * the library compares markerIndex only with `<` against the bits left and with `!== 0`.
 */
export class ExactLosslessDecoder extends Decoder {
  constructor() {
    super();
    let markerIndex = 0;
    Object.defineProperty(this, "markerIndex", {
      get: () => markerIndex,
      set: (value: number) => {
        markerIndex = value === 9 ? 8 : value;
      },
    });
  }
}
