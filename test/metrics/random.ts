/** Small seeded PRNG (mulberry32) so the property tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** O(n²) pairwise AUC: fraction of (positive, negative) pairs ranked correctly, ties one half. */
export function bruteForceAuc(yTrue: ArrayLike<number>, yScore: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] !== 1) continue;
    for (let j = 0; j < yTrue.length; j++) {
      if (yTrue[j] !== 0) continue;
      pairs++;
      if (yScore[i] > yScore[j]) wins += 1;
      else if (yScore[i] === yScore[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}
