import type { GraphBuilder } from "./graph-builder";
import type { SymbolicTensor } from "./types";

/** Filters of the five conv-bn-relu-maxpool blocks: cheap at 64–128 px, so it trains in minutes on a CPU. */
export const SMALL_CNN_FILTERS = [16, 32, 64, 128, 256] as const;

export function smallCnnFeatures(g: GraphBuilder, input: SymbolicTensor): SymbolicTensor {
  let x = input;
  SMALL_CNN_FILTERS.forEach((filters, i) => {
    x = g.convBnRelu(x, `block${i + 1}`, { filters, kernel: 3 });
    x = g.maxPool(x, `block${i + 1}_pool`, 2, 2);
  });
  return x;
}
