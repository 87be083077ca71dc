// JPG slices of the `images` source, decoded with the DICOM core's libjpeg-turbo codec.
import { decodeWithCodec } from "../dicom/wasm-codecs";
import { errorMessage } from "../../shared/errors";

export async function decodeJpegRgb(bytes: Uint8Array, file: string): Promise<{ width: number; height: number; rgb: Uint8Array }> {
  let frame;
  try {
    frame = await decodeWithCodec("jpeg8", bytes);
  } catch (error) {
    throw new Error(`${file}: not a readable JPEG (${errorMessage(error)})`, { cause: error });
  }
  const { width, height, components } = frame;
  if (components === 3) return { width, height, rgb: frame.bytes.subarray(0, width * height * 3) };
  if (components !== 1) throw new Error(`${file}: JPEG with ${components} components; expected 1 (grey) or 3 (RGB)`);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = frame.bytes[i];
  return { width, height, rgb };
}
