// The cornerstone codec packages ship Emscripten factories without type declarations.
declare module "@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs" {
  const factory: (module?: object) => Promise<Record<string, unknown>>;
  export default factory;
}
declare module "@cornerstonejs/codec-charls/decodewasmjs" {
  const factory: (module?: object) => Promise<Record<string, unknown>>;
  export default factory;
}
declare module "@cornerstonejs/codec-openjpeg/decodewasmjs" {
  const factory: (module?: object) => Promise<Record<string, unknown>>;
  export default factory;
}
declare module "dcmjs/dictionary" {
  const dictionary: Record<string, { tag: string; vr: string; name: string; vm: string; version: string }>;
  export default dictionary;
}
declare module "jpeg-lossless-decoder-js" {
  export class Decoder {
    decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
