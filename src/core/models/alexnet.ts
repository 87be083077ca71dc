import type { GraphBuilder } from "./graph-builder";
import type { SymbolicTensor } from "./types";

/**
 * AlexNet's five convolutions as in torchvision (Krizhevsky et al. 2012, one-tower variant) with
 * "same" padding on convolutions and pools, so inputs down to 32 px keep a non-empty feature map;
 * global average pooling replaces the fixed 6×6 flatten.
 */
export function alexnetFeatures(g: GraphBuilder, input: SymbolicTensor): SymbolicTensor {
  let x = g.relu(g.conv(input, "conv1", { filters: 64, kernel: 11, strides: 4, useBias: true }), "relu1");
  x = g.maxPool(x, "pool1", 3, 2);
  x = g.relu(g.conv(x, "conv2", { filters: 192, kernel: 5, useBias: true }), "relu2");
  x = g.maxPool(x, "pool2", 3, 2);
  x = g.relu(g.conv(x, "conv3", { filters: 384, kernel: 3, useBias: true }), "relu3");
  x = g.relu(g.conv(x, "conv4", { filters: 256, kernel: 3, useBias: true }), "relu4");
  x = g.relu(g.conv(x, "conv5", { filters: 256, kernel: 3, useBias: true }), "relu5");
  return g.maxPool(x, "pool5", 3, 2);
}

/** The paper's two 4096-unit fully connected layers, each after dropout. */
export function alexnetClassifier(g: GraphBuilder, features: SymbolicTensor, dropout: number): SymbolicTensor {
  let x = g.dropout(features, "fc6_dropout", dropout);
  x = g.dense(x, "fc6", 4096, "relu");
  x = g.dropout(x, "fc7_dropout", dropout);
  return g.dense(x, "fc7", 4096, "relu");
}
