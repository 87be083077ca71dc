import type { GraphBuilder } from "./graph-builder";
import type { SymbolicTensor } from "./types";

/**
 * AlexNet's five convolutions exactly as torchvision's `alexnet().features` (Krizhevsky et al.
 * 2012, one-tower variant): same paddings, unpadded 3×3/2 max pools, so ImageNet weights imported
 * from torchvision give its outputs. The three pools need inputs of at least 63 px.
 */
export function alexnetFeatures(g: GraphBuilder, input: SymbolicTensor): SymbolicTensor {
  let x = g.relu(g.conv(input, "conv1", { filters: 64, kernel: 11, strides: 4, pad: 2, useBias: true }), "relu1");
  x = g.maxPool(x, "pool1", 3, 2, 0);
  x = g.relu(g.conv(x, "conv2", { filters: 192, kernel: 5, useBias: true }), "relu2");
  x = g.maxPool(x, "pool2", 3, 2, 0);
  x = g.relu(g.conv(x, "conv3", { filters: 384, kernel: 3, useBias: true }), "relu3");
  x = g.relu(g.conv(x, "conv4", { filters: 256, kernel: 3, useBias: true }), "relu4");
  x = g.relu(g.conv(x, "conv5", { filters: 256, kernel: 3, useBias: true }), "relu5");
  return g.maxPool(x, "pool5", 3, 2, 0);
}

/** The paper's two 4096-unit fully connected layers, each after dropout (torchvision's classifier without its last Linear). */
export function alexnetClassifier(g: GraphBuilder, features: SymbolicTensor, dropout: number): SymbolicTensor {
  let x = g.dropout(features, "fc6_dropout", dropout);
  x = g.dense(x, "fc6", 4096, "relu");
  x = g.dropout(x, "fc7_dropout", dropout);
  return g.dense(x, "fc7", 4096, "relu");
}

/** Side of torchvision AlexNet's adaptive average pool before the classifier (256 × 6 × 6 = 9216 inputs to fc6). */
export const ALEXNET_POOL_SIZE = 6;
