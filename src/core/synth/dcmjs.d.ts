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
  const dcmjs: { data: typeof data };
  export default dcmjs;
  export { data };
}
