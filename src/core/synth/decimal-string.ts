// DICOM DS (decimal string) values hold at most 16 characters. dcmjs cuts longer strings and warns
// on every file, so numbers are formatted here to the shortest text within 16 characters; writers
// store that text and readers (and our CSVs) see the same number.
const DS_MAX_LENGTH = 16;

/** The shortest decimal text of `value` that fits a DICOM DS (≤ 16 characters). */
export function formatDecimalString(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`formatDecimalString: ${value} is not a finite number`);
  const plain = String(value);
  if (plain.length <= DS_MAX_LENGTH) return plain;
  // Most significant digits first; plain or exponent notation, whichever fits.
  for (let digits = 16; digits >= 1; digits--) {
    for (const text of [String(Number(value.toPrecision(digits))), value.toExponential(digits - 1).replace("e+", "e")]) {
      if (text.length <= DS_MAX_LENGTH) return text;
    }
  }
  throw new Error(`formatDecimalString: ${value} does not fit in ${DS_MAX_LENGTH} characters`);
}

/** `value` as it reads back from its DS text. */
export function decimalStringValue(value: number): number {
  return Number(formatDecimalString(value));
}
