// The part of dcmjs (which ships no type declarations) that the phantom writer uses.
declare module "dcmjs" {
  type NaturalizedDataset = Record<string, unknown>;
  type DenaturalizedDataset = Record<string, { vr: string; Value: unknown[] }>;
  namespace data {
    class DicomDict {
      constructor(meta: DenaturalizedDataset);
      meta: DenaturalizedDataset;
      dict: DenaturalizedDataset;
      write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
    }
    class DicomMetaDictionary {
      static denaturalizeDataset(dataset: NaturalizedDataset): DenaturalizedDataset;
      static naturalizeDataset(dataset: DenaturalizedDataset): NaturalizedDataset;
    }
  }
  /** dcmjs's loglevel logger (its warnings, e.g. about truncated values, go through it). */
  const log: { warn(...args: unknown[]): void; setLevel(level: string): void };
  const dcmjs: { data: typeof data; log: typeof log };
  export default dcmjs;
  export { data, log };
}
