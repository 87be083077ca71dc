// The cornerstone WASM codecs (JPEG baseline 8-bit, JPEG-LS, JPEG 2000), each initialised once on first use.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** What every codec hands back: the decoded samples (copied out of WASM memory) and their layout. */
export interface CodecFrame {
  width: number;
  height: number;
  components: number;
  bitsPerSample: number;
  /** Only JPEG 2000 knows this from the codestream. */
  isSigned?: boolean;
  /** Little-endian samples, 1 byte per sample up to 8 bits, 2 bytes above. */
  bytes: Uint8Array;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
}

type Factory = (module: { wasmBinary: Uint8Array; print: (text: string) => void; printErr: (text: string) => void }) => Promise<Record<string, unknown> & { getExceptionMessage?: (e: number) => string }>;

interface CodecSpec {
  pkg: string;
  wasm: string;
  className: string;
  load: () => Promise<Factory>;
}

const SPECS = {
  jpeg8: {
    pkg: "@cornerstonejs/codec-libjpeg-turbo-8bit",
    wasm: "libjpegturbowasm_decode.wasm",
    className: "JPEGDecoder",
    load: async () => (await import("@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs")).default as unknown as Factory,
  },
  jpegls: {
    pkg: "@cornerstonejs/codec-charls",
    wasm: "charlswasm_decode.wasm",
    className: "JpegLSDecoder",
    load: async () => (await import("@cornerstonejs/codec-charls/decodewasmjs")).default as unknown as Factory,
  },
  j2k: {
    pkg: "@cornerstonejs/codec-openjpeg",
    wasm: "openjpegwasm_decode.wasm",
    className: "J2KDecoder",
    load: async () => (await import("@cornerstonejs/codec-openjpeg/decodewasmjs")).default as unknown as Factory,
  },
} satisfies Record<string, CodecSpec>;

export type CodecName = keyof typeof SPECS;

/**
 * dist/wasm/<file> when bundled (scripts/build.mjs copies them next to dist/cli.js), otherwise the
 * package in the nearest node_modules above this source file.
 */
export function resolveWasm(pkg: string, file: string): string {
  const candidates = [join(__dirname, "wasm", file)];
  for (let dir = __dirname; ; dir = dirname(dir)) {
    candidates.push(join(dir, "node_modules", pkg, "dist", file));
    if (dirname(dir) === dir) break;
  }
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`codec binary ${file} not found (looked in ${candidates.slice(0, 3).join(", ")} ...)`);
  return found;
}

interface LoadedCodec {
  decoder: WasmDecoder;
  explain: (error: unknown) => string;
}

const loaded = new Map<CodecName, Promise<LoadedCodec>>();

function loadCodec(name: CodecName): Promise<LoadedCodec> {
  let codec = loaded.get(name);
  if (!codec) {
    const spec: CodecSpec = SPECS[name];
    codec = (async () => {
      const factory = await spec.load();
      // OpenJPEG logs "[INFO] ..." lines through print; they must not reach the CLI's stdout.
      const quiet = () => undefined;
      const module = await factory({ wasmBinary: readFileSync(resolveWasm(spec.pkg, spec.wasm)), print: quiet, printErr: quiet });
      const Decoder = module[spec.className] as new () => WasmDecoder;
      return {
        decoder: new Decoder(),
        explain: (error: unknown) =>
          typeof error === "number" && module.getExceptionMessage ? module.getExceptionMessage(error) : error instanceof Error ? error.message : String(error),
      };
    })();
    codec.catch(() => loaded.delete(name));
    loaded.set(name, codec);
  }
  return codec;
}

/** Decodes one encoded frame. Throws an Error with the codec's message on corrupt input. */
export async function decodeWithCodec(name: CodecName, encoded: Uint8Array): Promise<CodecFrame> {
  const { decoder, explain } = await loadCodec(name);
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    return {
      width: info.width,
      height: info.height,
      components: info.componentCount,
      bitsPerSample: info.bitsPerSample,
      isSigned: info.isSigned,
      bytes: decoder.getDecodedBuffer().slice(),
    };
  } catch (error) {
    // An Emscripten abort leaves the module unusable: start a fresh instance next time.
    loaded.delete(name);
    throw new Error(explain(error));
  }
}
