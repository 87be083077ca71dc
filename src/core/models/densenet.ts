import type { GraphBuilder } from "./graph-builder";
import type { SymbolicTensor } from "./types";

/** DenseNet-121 (Huang et al. 2017): growth rate 32, bottleneck width 4×growth, compression 0.5. */
export const DENSENET121 = { blocks: [6, 12, 24, 16], growth: 32, bottleneckWidth: 4, initialFeatures: 64 } as const;

function denseLayer(g: GraphBuilder, x: SymbolicTensor, name: string): SymbolicTensor {
  const { growth, bottleneckWidth } = DENSENET121;
  let y = g.relu(g.batchNorm(x, `${name}_norm1`), `${name}_relu1`);
  y = g.conv(y, `${name}_conv1`, { filters: bottleneckWidth * growth, kernel: 1 });
  y = g.relu(g.batchNorm(y, `${name}_norm2`), `${name}_relu2`);
  y = g.conv(y, `${name}_conv2`, { filters: growth, kernel: 3 });
  return g.concat([x, y], `${name}_concat`);
}

function transition(g: GraphBuilder, x: SymbolicTensor, name: string, filters: number): SymbolicTensor {
  let y = g.relu(g.batchNorm(x, `${name}_norm`), `${name}_relu`);
  y = g.conv(y, `${name}_conv`, { filters, kernel: 1 });
  return g.avgPool(y, `${name}_pool`, 2, 2);
}

export function densenet121Features(g: GraphBuilder, input: SymbolicTensor): SymbolicTensor {
  let x = g.relu(g.batchNorm(g.conv(input, "conv0", { filters: DENSENET121.initialFeatures, kernel: 7, strides: 2 }), "norm0"), "relu0");
  x = g.maxPool(x, "pool0", 3, 2, 1);
  let features: number = DENSENET121.initialFeatures;
  DENSENET121.blocks.forEach((layers, b) => {
    for (let l = 0; l < layers; l++) x = denseLayer(g, x, `denseblock${b + 1}_layer${l + 1}`);
    features += layers * DENSENET121.growth;
    if (b < DENSENET121.blocks.length - 1) {
      features = Math.floor(features / 2);
      x = transition(g, x, `transition${b + 1}`, features);
    }
  });
  return g.relu(g.batchNorm(x, "norm5"), "relu5");
}
