// The cornerstone WASM codecs (JPEG baseline 8-bit, JPEG-LS, JPEG 2000), each initialised once on first use.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { errorMessage } from "../../shared/errors";

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

interface EmscriptenModule {
  [name: string]: unknown;
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
}

type Factory = (module: { wasmBinary: Uint8Array; print: (text: string) => void; printErr: (text: string) => void }) => Promise<EmscriptenModule>;

interface CodecSpec {
  /** How messages name the codec. */
  label: string;
  pkg: string;
  wasm: string;
  className: string;
  load: () => Promise<Factory>;
}

const SPECS = {
  jpeg8: {
    label: "JPEG baseline (libjpeg-turbo)",
    pkg: "@cornerstonejs/codec-libjpeg-turbo-8bit",
    wasm: "libjpegturbowasm_decode.wasm",
    className: "JPEGDecoder",
    load: async () => (await import("@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs")).default as unknown as Factory,
  },
  jpegls: {
    label: "JPEG-LS (CharLS)",
    pkg: "@cornerstonejs/codec-charls",
    wasm: "charlswasm_decode.wasm",
    className: "JpegLSDecoder",
    load: async () => (await import("@cornerstonejs/codec-charls/decodewasmjs")).default as unknown as Factory,
  },
  j2k: {
    label: "JPEG 2000 (OpenJPEG)",
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
        explain: (error: unknown) => `${spec.label} failed: ${typeof error === "number" ? cxxExceptionMessage(module, error) : errorMessage(error)}`,
      };
    })();
    codec.catch(() => loaded.delete(name));
    loaded.set(name, codec);
  }
  return codec;
}

function cString(heap: Uint8Array, at: number): string | undefined {
  if (at <= 0 || at >= heap.length) return undefined;
  const end = heap.indexOf(0, at);
  if (end < 0 || end - at > 1000) return undefined;
  // libjpeg-turbo's wrapper throws e.g. "~~decompressing JPEG image".
  return new TextDecoder().decode(heap.subarray(at, end)).trim().replace(/^[^A-Za-z0-9]+/, "");
}

/**
 * A C++ exception thrown through Emscripten reaches JS as a bare pointer to the thrown object. Only
 * the CharLS build exports getExceptionMessage, so read the message as that would: Emscripten keeps
 * the thrown type's std::type_info 24 bytes before the object (ExceptionInfo: type at +4), whose
 * mangled name (at +4) says how the object holds its text. libjpeg-turbo's wrapper throws a
 * `const char*`; CharLS and std::runtime_error derivatives keep libc++'s refstring pointer after
 * the vtable pointer.
 */
function cxxExceptionMessage(module: EmscriptenModule, pointer: number): string {
  const { HEAPU8: heap, HEAPU32: words } = module;
  const word = (at: number) => (at > 0 && at + 4 <= heap.length ? words[at >> 2] : 0);
  const type = cString(heap, word(word(pointer - 24 + 4) + 4));
  if (type === "St9bad_alloc") return "out of memory (std::bad_alloc)";
  const holdsText = type && /error|invalid_argument|out_of_range/.test(type);
  const text = type === "PKc" || type === "Pc" ? cString(heap, word(pointer)) : holdsText ? cString(heap, word(pointer + 4)) : undefined;
  if (text && /^[\x20-\x7e\s]+$/.test(text)) return text;
  return type ? `C++ exception of type ${type}` : `C++ exception (pointer ${pointer})`;
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
    throw new Error(explain(error), { cause: error });
  }
}
