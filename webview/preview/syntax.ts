const NAMES: Record<string, string> = {
  "1.2.840.10008.1.2": "Implicit VR LE",
  "1.2.840.10008.1.2.1": "Explicit VR LE",
  "1.2.840.10008.1.2.1.99": "Deflated Explicit VR LE",
  "1.2.840.10008.1.2.2": "Explicit VR BE",
  "1.2.840.10008.1.2.4.50": "JPEG Baseline",
  "1.2.840.10008.1.2.4.51": "JPEG Extended",
  "1.2.840.10008.1.2.4.57": "JPEG Lossless",
  "1.2.840.10008.1.2.4.70": "JPEG Lossless SV1",
  "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
  "1.2.840.10008.1.2.4.81": "JPEG-LS Near-lossless",
  "1.2.840.10008.1.2.4.90": "JPEG 2000 Lossless",
  "1.2.840.10008.1.2.4.91": "JPEG 2000",
  "1.2.840.10008.1.2.5": "RLE Lossless",
};

/** Short human name of a transfer syntax UID, the UID itself when unknown. */
export function transferSyntaxName(uid: string): string {
  return NAMES[uid] ?? uid;
}
