// Training survives unreadable images: a sample whose file cannot be decoded is dropped from its
// batch, counted once, and listed in run.json; the run fails only when the distinct bad images
// exceed train.maxBadImageShare of the training set (one corrupt slice among 752,803 must not end
// a run hours in, but a folder of unreadable files must not train on the few good ones).
import type { Batch } from "../data/batch-loader";
import type { BadImage } from "../runs/types";

/** run.json lists at most this many; badImageCount has the total. */
export const MAX_LISTED_BAD_IMAGES = 1000;

export class BadImageTracker {
  private readonly seen = new Map<string, string>();
  readonly list: BadImage[] = [];
  /** Images the last `filter` call met for the first time. */
  added: BadImage[] = [];

  constructor(
    private readonly trainingImages: number,
    private readonly maxShare: number,
    previous: readonly BadImage[] = [],
    previousCount = previous.length,
  ) {
    for (const b of previous) this.record(b.file, b.reason);
    this.extra = Math.max(0, previousCount - previous.length);
  }

  private extra = 0;

  /**
   * Bad images a run tolerates: the share rounded up, so any share above 0 tolerates one bad image
   * even in a small folder (1 of 72 is 1.4 %, yet it is the one truncated slice); 0 tolerates none.
   */
  get allowed(): number {
    return Math.ceil(this.maxShare * this.trainingImages);
  }

  get count(): number {
    return this.seen.size + this.extra;
  }

  private record(file: string, error: string): BadImage | null {
    if (this.seen.has(file)) return null;
    // The DICOM core's errors start with the file's path: keep the reason alone beside `file`.
    const reason = error.startsWith(`${file}: `) ? error.slice(file.length + 2) : error;
    this.seen.set(file, reason);
    if (this.list.length < MAX_LISTED_BAD_IMAGES) this.list.push({ file, reason });
    return { file, reason };
  }

  /**
   * The batch without its failed samples (null when none is left). Throws once the distinct bad
   * images exceed the allowed share, naming the count, the share and a few of the files.
   */
  filter(batch: Batch, fileOf: (index: number) => string): Batch | null {
    this.added = [];
    const keep: number[] = [];
    batch.errors.forEach((error, i) => {
      if (error === null) return keep.push(i);
      const added = this.record(fileOf(i), error);
      if (added) this.added.push(added);
    });
    if (this.count > this.allowed) {
      const examples = this.list.slice(0, 3).map((b) => `${b.file}: ${b.reason}`).join("; ");
      throw new Error(
        `${this.count} of ${this.trainingImages} training images are unreadable (more than train.maxBadImageShare ${this.maxShare} allows: ${this.allowed}); e.g. ${examples}. Run ich clean on the folder and exclude them (data.exclude), or raise train.maxBadImageShare`,
      );
    }
    if (keep.length === batch.samples.length) return batch;
    if (keep.length === 0) return null;
    const per = batch.x.length / batch.samples.length;
    const labels = batch.y.length / batch.samples.length;
    const x = new Float32Array(keep.length * per);
    const y = new Float32Array(keep.length * labels);
    keep.forEach((from, to) => {
      x.set(batch.x.subarray(from * per, (from + 1) * per), to * per);
      y.set(batch.y.subarray(from * labels, (from + 1) * labels), to * labels);
    });
    return { ...batch, x, y, errors: keep.map(() => null), samples: keep.map((i) => batch.samples[i]) };
  }
}

/** The file (or id) a failed sample is listed under. */
export function sampleFile(sample: Batch["samples"][number]): string {
  return sample.source.kind === "synthetic" ? sample.id : sample.source.file;
}
