// Runs slices from concurrent requests through one engine in shared batches: while a batch runs,
// new slices wait; when it ends, up to `maxBatch` of them go together. One batch at a time,
// because the engine already uses every core. Each batch goes through predictWithTta, the TTA of
// ich predict and ich eval, so the views averaged are the same.
import type { InferenceEngine } from "../inference/engine";
import { predictWithTta, type TtaSetting } from "../predict/tta";

interface Item {
  image: Float32Array;
  resolve: (p: Float32Array) => void;
  reject: (error: Error) => void;
}

export class SliceBatcher {
  private readonly waiting: Item[] = [];
  private running = false;
  /** Batches run so far, and slices in them (reported by /healthz). */
  readonly stats = { batches: 0, slices: 0 };

  constructor(
    private readonly engine: InferenceEngine,
    private readonly size: number,
    private readonly channels: number,
    private readonly outputs: number,
    private readonly maxBatch: number,
    private readonly tta: TtaSetting,
  ) {}

  private get perImage(): number {
    return this.size * this.size * this.channels;
  }

  /** Probabilities (one row of `outputs`) for one prepared image. */
  predict(image: Float32Array): Promise<Float32Array> {
    if (image.length !== this.perImage) return Promise.reject(new Error(`expected ${this.perImage} input values, got ${image.length}`));
    return new Promise((resolve, reject) => {
      this.waiting.push({ image, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const items = this.waiting.splice(0, this.maxBatch);
        const x = new Float32Array(items.length * this.perImage);
        items.forEach((item, i) => x.set(item.image, i * this.perImage));
        try {
          const p = await predictWithTta(this.engine, x, items.length, this.size, this.channels, this.tta);
          this.stats.batches++;
          this.stats.slices += items.length;
          items.forEach((item, i) => item.resolve(p.slice(i * this.outputs, (i + 1) * this.outputs)));
        } catch (error) {
          const e = error instanceof Error ? error : new Error(String(error));
          for (const item of items) item.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
