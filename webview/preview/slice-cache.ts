// The webview's own cache of slices it received (shown or prefetched), so stepping back and forth
// through a loaded series never waits for the extension host. Insertion order = recency.
import type { SliceMessage } from "../../src/protocol/preview";

export class ClientSliceCache {
  private readonly slices = new Map<string, SliceMessage>();

  constructor(readonly capacity: number) {}

  private static key(index: number, frame: number): string {
    return `${index}#${frame}`;
  }

  put(message: SliceMessage): void {
    const key = ClientSliceCache.key(message.index, message.frame);
    this.slices.delete(key);
    this.slices.set(key, message);
    while (this.slices.size > this.capacity) this.slices.delete(this.slices.keys().next().value as string);
  }

  get(index: number, frame: number): SliceMessage | undefined {
    const key = ClientSliceCache.key(index, frame);
    const hit = this.slices.get(key);
    if (hit) {
      this.slices.delete(key);
      this.slices.set(key, hit);
    }
    return hit;
  }

  has(index: number, frame: number): boolean {
    return this.slices.has(ClientSliceCache.key(index, frame));
  }

  /** Series indices change meaning once the folder is ordered: start over. */
  clear(): void {
    this.slices.clear();
  }

  /** Neighbours of `index` (nearest first, within the series) that are not cached yet. */
  missingAround(index: number, total: number, reach: number): number[] {
    const wanted: number[] = [];
    for (let d = 1; d <= reach; d++) for (const i of [index + d, index - d]) if (i >= 0 && i < total && !this.has(i, 0)) wanted.push(i);
    return wanted;
  }
}
