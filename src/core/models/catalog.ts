import type { Architecture } from "./types";

export interface ArchitectureInfo {
  name: Architecture;
  displayName: string;
  family: "Small CNN" | "ResNet" | "DenseNet" | "AlexNet";
  /** Channels of the feature map the head pools (AlexNet: after its two 4096-unit layers, head "linear"). */
  featureChannels: number;
  /**
   * Trainable parameters for a 3-channel input without the final classifier (batch-norm moving
   * statistics excluded, as in the papers): add (featureChannels + 1) × outputs for the head.
   */
  backboneParameters: number;
  defaultDropout: number;
  /** Smallest square input in pixels (the feature map must not shrink to nothing). */
  minInputSize: number;
  reference: string;
  summary: string;
}

const CATALOG: Record<Architecture, ArchitectureInfo> = {
  "small-cnn": {
    name: "small-cnn",
    displayName: "Small CNN",
    family: "Small CNN",
    featureChannels: 256,
    backboneParameters: 393_104,
    defaultDropout: 0.2,
    minInputSize: 32,
    reference: "ICH Lab",
    summary: "Five conv-BN-ReLU-maxpool blocks (16→256 filters); trains in minutes on a CPU at 64–128 px.",
  },
  resnet18: {
    name: "resnet18",
    displayName: "ResNet-18",
    family: "ResNet",
    featureChannels: 512,
    backboneParameters: 11_176_512,
    defaultDropout: 0,
    minInputSize: 32,
    reference: "He et al., Deep Residual Learning for Image Recognition, CVPR 2016",
    summary: "Basic residual blocks [2, 2, 2, 2] with batch norm.",
  },
  resnet34: {
    name: "resnet34",
    displayName: "ResNet-34",
    family: "ResNet",
    featureChannels: 512,
    backboneParameters: 21_284_672,
    defaultDropout: 0,
    minInputSize: 32,
    reference: "He et al., Deep Residual Learning for Image Recognition, CVPR 2016",
    summary: "Basic residual blocks [3, 4, 6, 3] with batch norm.",
  },
  resnet50: {
    name: "resnet50",
    displayName: "ResNet-50",
    family: "ResNet",
    featureChannels: 2048,
    backboneParameters: 23_508_032,
    defaultDropout: 0,
    minInputSize: 32,
    reference: "He et al., Deep Residual Learning for Image Recognition, CVPR 2016 (torchvision v1.5 stride placement)",
    summary: "Bottleneck blocks [3, 4, 6, 3], stride on the 3×3 convolution.",
  },
  resnet101: {
    name: "resnet101",
    displayName: "ResNet-101",
    family: "ResNet",
    featureChannels: 2048,
    backboneParameters: 42_500_160,
    defaultDropout: 0,
    minInputSize: 32,
    reference: "He et al., Deep Residual Learning for Image Recognition, CVPR 2016 (torchvision v1.5 stride placement)",
    summary: "Bottleneck blocks [3, 4, 23, 3], stride on the 3×3 convolution.",
  },
  densenet121: {
    name: "densenet121",
    displayName: "DenseNet-121",
    family: "DenseNet",
    featureChannels: 1024,
    backboneParameters: 6_953_856,
    defaultDropout: 0,
    minInputSize: 32,
    reference: "Huang et al., Densely Connected Convolutional Networks, CVPR 2017",
    summary: "Dense blocks [6, 12, 24, 16], growth rate 32, transitions halving channels and resolution.",
  },
  alexnet: {
    name: "alexnet",
    displayName: "AlexNet",
    family: "AlexNet",
    featureChannels: 4096,
    backboneParameters: 20_303_680,
    defaultDropout: 0.5,
    minInputSize: 63,
    reference: "Krizhevsky et al., ImageNet Classification with Deep Convolutional Neural Networks, NIPS 2012",
    summary: "torchvision's five convolutions and two 4096-unit dense layers (inputs ≥ 63 px); head \"linear\" pools globally (24 M parameters), head \"torchvision\" pools to 6×6 and flattens as torchvision does (61 M).",
  },
};

export function describeArchitecture(name: Architecture): ArchitectureInfo {
  const info = CATALOG[name];
  if (!info) throw new RangeError(`Unknown architecture "${name}"; expected one of ${Object.keys(CATALOG).join(", ")}`);
  return info;
}
