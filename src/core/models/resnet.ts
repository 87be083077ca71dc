import type { GraphBuilder } from "./graph-builder";
import type { SymbolicTensor } from "./types";

export type ResNetDepth = 18 | 34 | 50 | 101;

/** Blocks per stage and block type (He et al. 2016, Table 1; torchvision's resnetNN). */
export const RESNET_STAGES: Record<ResNetDepth, { blocks: readonly number[]; bottleneck: boolean }> = {
  18: { blocks: [2, 2, 2, 2], bottleneck: false },
  34: { blocks: [3, 4, 6, 3], bottleneck: false },
  50: { blocks: [3, 4, 6, 3], bottleneck: true },
  101: { blocks: [3, 4, 23, 3], bottleneck: true },
};

const STAGE_WIDTHS = [64, 128, 256, 512];

function basicBlock(g: GraphBuilder, x: SymbolicTensor, name: string, width: number, strides: number, inChannels: number): SymbolicTensor {
  let y = g.relu(g.batchNorm(g.conv(x, `${name}_conv1`, { filters: width, kernel: 3, strides }), `${name}_bn1`), `${name}_relu1`);
  y = g.batchNorm(g.conv(y, `${name}_conv2`, { filters: width, kernel: 3 }), `${name}_bn2`, true);
  const shortcut = strides !== 1 || inChannels !== width ? downsample(g, x, name, width, strides) : x;
  return g.relu(g.add([y, shortcut], `${name}_add`), `${name}_out`);
}

/** ResNet v1.5 bottleneck (torchvision): the stride sits on the 3×3 convolution. */
function bottleneckBlock(g: GraphBuilder, x: SymbolicTensor, name: string, width: number, strides: number, inChannels: number): SymbolicTensor {
  const outChannels = width * 4;
  let y = g.relu(g.batchNorm(g.conv(x, `${name}_conv1`, { filters: width, kernel: 1 }), `${name}_bn1`), `${name}_relu1`);
  y = g.relu(g.batchNorm(g.conv(y, `${name}_conv2`, { filters: width, kernel: 3, strides }), `${name}_bn2`), `${name}_relu2`);
  y = g.batchNorm(g.conv(y, `${name}_conv3`, { filters: outChannels, kernel: 1 }), `${name}_bn3`, true);
  const shortcut = strides !== 1 || inChannels !== outChannels ? downsample(g, x, name, outChannels, strides) : x;
  return g.relu(g.add([y, shortcut], `${name}_add`), `${name}_out`);
}

function downsample(g: GraphBuilder, x: SymbolicTensor, name: string, filters: number, strides: number): SymbolicTensor {
  return g.batchNorm(g.conv(x, `${name}_downsample_conv`, { filters, kernel: 1, strides }), `${name}_downsample_bn`);
}

export function resnetFeatures(g: GraphBuilder, input: SymbolicTensor, depth: ResNetDepth): SymbolicTensor {
  const { blocks, bottleneck } = RESNET_STAGES[depth];
  let x = g.relu(g.batchNorm(g.conv(input, "conv1", { filters: 64, kernel: 7, strides: 2 }), "bn1"), "relu1");
  x = g.maxPool(x, "maxpool", 3, 2, 1);
  let channels = 64;
  blocks.forEach((count, stage) => {
    const width = STAGE_WIDTHS[stage];
    for (let b = 0; b < count; b++) {
      const strides = stage > 0 && b === 0 ? 2 : 1;
      const name = `layer${stage + 1}_${b}`;
      x = bottleneck ? bottleneckBlock(g, x, name, width, strides, channels) : basicBlock(g, x, name, width, strides, channels);
      channels = bottleneck ? width * 4 : width;
    }
  });
  return x;
}
