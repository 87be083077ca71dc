// How a batch is split over the replicas: contiguous runs of samples, sizes differing by at most
// one, the larger ones first; never an empty share (a short last batch uses fewer replicas).

export interface Share {
  start: number;
  count: number;
}

export function splitBatch(size: number, replicas: number): Share[] {
  const used = Math.max(1, Math.min(replicas, size));
  const base = Math.floor(size / used);
  const extra = size % used;
  const shares: Share[] = [];
  let start = 0;
  for (let i = 0; i < used; i++) {
    const count = base + (i < extra ? 1 : 0);
    shares.push({ start, count });
    start += count;
  }
  return shares;
}
