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
