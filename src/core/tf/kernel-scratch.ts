// Runs a backend's own kernels from inside another kernel and frees every intermediate result.
import type * as TF from "@tensorflow/tfjs";

type Tf = typeof TF;
type TensorInfo = TF.TensorInfo;

export class KernelScratch {
  private readonly owned: TensorInfo[] = [];

  constructor(
    readonly tfModule: Tf,
    private readonly backend: TF.KernelBackend,
    private readonly backendName: string,
    /** Kernels to use instead of the registry's (the originals of the ones we replace). */
    private readonly overrides: Record<string, TF.KernelFunc> = {},
  ) {}

  run(kernelName: string, inputs: TF.NamedTensorInfoMap | TensorInfo[], attrs: TF.NamedAttrMap = {}): TensorInfo {
    const kernelFunc = this.overrides[kernelName] ?? this.tfModule.getKernel(kernelName, this.backendName)?.kernelFunc;
    if (kernelFunc === undefined) throw new Error(`Kernel '${kernelName}' is not registered for backend '${this.backendName}'`);
    const out = kernelFunc({ inputs: inputs as TF.NamedTensorInfoMap, attrs, backend: this.backend });
    if (Array.isArray(out)) throw new Error(`Kernel '${kernelName}' returned several outputs where one was expected`);
    this.owned.push(out);
    return out;
  }

  /** Values of `x` as a Float32Array (a copy). */
  read(x: TensorInfo): Float32Array {
    return this.backend.readSync(x.dataId) as Float32Array;
  }

  /**
   * The float32 data of `x` in place on the WASM heap, readable and writable without a copy. Only
   * valid until the next allocation (the heap may grow and move): allocate first, then view.
   */
  view(x: TensorInfo): Float32Array {
    const heap = this.backend as unknown as { typedArrayFromHeap?: (x: TensorInfo) => Float32Array };
    if (typeof heap.typedArrayFromHeap !== "function") throw new Error("KernelScratch.view needs the wasm backend");
    return heap.typedArrayFromHeap(x);
  }

  /** A new float32 tensor with uninitialised data, owned by this scratch (fill it through view). */
  allocate(shape: number[]): TensorInfo {
    const backend = this.backend as unknown as { makeOutput?: (shape: number[], dtype: "float32") => TensorInfo };
    if (typeof backend.makeOutput !== "function") throw new Error("KernelScratch.allocate needs the wasm backend");
    const info = backend.makeOutput(shape, "float32");
    this.owned.push(info);
    return info;
  }

  /** A new float32 tensor holding `values`, owned by this scratch. */
  write(values: Float32Array, shape: number[]): TensorInfo {
    const info = { dataId: this.backend.write(values, shape, "float32"), shape, dtype: "float32" as const };
    this.owned.push(info);
    return info;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run("PadV2", { x }, { paddings, constantValue: 0 });
  }

  slice(x: TensorInfo, size: number[]): TensorInfo {
    if (size.every((s, i) => s === x.shape[i])) return x;
    return this.run("Slice", { x }, { begin: size.map(() => 0), size });
  }

  sliceFrom(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (begin.every((b) => b === 0)) return this.slice(x, size);
    return this.run("Slice", { x }, { begin, size });
  }

  /** Concatenation along `axis` (Concat takes its inputs as a list). */
  concat(xs: TensorInfo[], axis: number): TensorInfo {
    return xs.length === 1 ? xs[0] : this.run("Concat", xs, { axis });
  }

  sum(x: TensorInfo, axis: number[]): TensorInfo {
    return this.run("Sum", { x }, { axis, keepDims: false });
  }

  /** Inserts stride-1 zeros after each row and column of an NHWC tensor (s×s spatial upsampling with zeros). */
  zeroInsert(x: TensorInfo, strideH: number, strideW: number): TensorInfo {
    if (strideH === 1 && strideW === 1) return x;
    const [n, h, w, c] = x.shape;
    const spread = this.reshape(x, [n, h, 1, w, 1, c]);
    const padded = this.pad(spread, [[0, 0], [0, 0], [0, strideH - 1], [0, 0], [0, strideW - 1], [0, 0]]);
    return this.reshape(padded, [n, h * strideH, w * strideW, c]);
  }

  /** Hands `result` to the caller and frees everything else this scratch created. */
  finish(result: TensorInfo): TensorInfo {
    // An input handed back unchanged needs its own reference, as the engine will free it separately.
    if (!this.owned.includes(result)) result = this.reshape(result, [...result.shape]);
    for (const info of this.owned) if (info !== result) this.backend.disposeData(info.dataId);
    this.owned.length = 0;
    return result;
  }

  /** Frees everything (on error). */
  dispose(): void {
    for (const info of this.owned) this.backend.disposeData(info.dataId);
    this.owned.length = 0;
  }
}
