// Training steps on ONNX Runtime: the training graph (training-graph.ts) computes loss, gradients
// and batch statistics with every core; the weights, batch-norm moving statistics and AdamW state
// live here in plain arrays between steps (FlatAdamW), and go back into the TF.js model and its
// AdamW only when `sync` is called (before validation, checkpoints and saves).
import type { Batch } from "../../data/batch-loader";
import { hashSeed, mulberry32 } from "../../data/rng";
import { intraOpThreads, type Ort } from "../../inference/ort";
import { selectTargets } from "../../predict/infer";
import { assertBatchLoaded, type BatchTrainer } from "../batch-training";
import type { StepRunner } from "../step-runner";
import { AdamThread } from "./adam-thread";
import { FlatAdamW, type FlatParam } from "./flat-adamw";
import type { BatchNormStatistics, DropoutMask } from "./layer-backprop";
import { buildTrainingGraph, TRAIN_INPUT, TRAIN_LOSS, TRAIN_TARGETS, type TrainingGraph } from "./training-graph";
import { toOnnxLayout, toTfLayout } from "./weight-layout";

type Session = Awaited<ReturnType<Ort["InferenceSession"]["create"]>>;
type OrtTensor = InstanceType<Ort["Tensor"]>;

/** Weights from which AdamW runs on two threads (ResNet18: 11.7 M; below, the round trip costs more than it saves). */
const OPTIMIZER_THREAD_MIN_VALUES = 1_000_000;

export interface OnnxRunnerOptions {
  /** The input size of the first epoch: its graph is built at once, so an unsupported model fails here. */
  size: number;
  /** Seeds the dropout masks (with the step number). */
  seed: number;
  /** Global step of the first step this runner takes. */
  firstStep: number;
  /** Intra-op threads (default: every core). */
  threads?: number;
  /** ONNX Runtime profiling into files <prefix>_<time>.json (bench:train --profile), written at `endProfiling`. */
  profilePrefix?: string;
}

export class OnnxStepRunner implements StepRunner {
  readonly replicas = 1;
  private readonly graphs = new Map<number, { graph: TrainingGraph; session: Session }>();
  private readonly params = new Map<string, FlatParam>();
  private readonly moving = new Map<string, Float32Array>();
  private readonly variables;
  private optimizer!: FlatAdamW;
  private optimizerThread: AdamThread | null = null;
  private dirty = false;
  private stepNumber: number;

  private constructor(
    private readonly ort: Ort,
    private readonly trainer: BatchTrainer,
    private readonly options: OnnxRunnerOptions,
  ) {
    this.variables = new Map(trainer.model.weights.map((w) => [w.name, w]));
    this.stepNumber = options.firstStep;
  }

  get device(): string {
    const threads = this.options.threads ?? intraOpThreads();
    return `ONNX Runtime ${this.ort.env.versions.node ?? this.ort.env.versions.common} on the CPU, ${threads} thread${threads === 1 ? "" : "s"}`;
  }

  /** Builds the first epoch's graph and copies the model's weights and optimizer state; throws UnsupportedModelError for a model it cannot train. */
  static async open(ort: Ort, trainer: BatchTrainer, options: OnnxRunnerOptions): Promise<OnnxStepRunner> {
    const runner = new OnnxStepRunner(ort, trainer, options);
    const { graph } = await runner.graphFor(options.size);
    for (const w of graph.weights) {
      const values = runner.variables.get(w.variable)!.read().dataSync() as Float32Array;
      runner.params.set(w.variable, { values: toOnnxLayout(w.layout, w.tfShape, values), layout: w.layout, tfShape: w.tfShape });
    }
    for (const b of graph.batchNorms) {
      for (const name of [b.movingMean, b.movingVariance]) {
        runner.moving.set(name, Float32Array.from(runner.variables.get(name)!.read().dataSync() as Float32Array));
      }
    }
    const values = [...runner.params.values()].reduce((n, p) => n + p.values.length, 0);
    if (values >= OPTIMIZER_THREAD_MIN_VALUES && (options.threads ?? intraOpThreads()) > 1) runner.optimizerThread = AdamThread.start();
    const trainable = trainer.variables.map((v) => v.name);
    runner.optimizer = new FlatAdamW(trainer.optimizer, runner.params, trainable, await trainer.optimizer.serialize(), runner.optimizerThread);
    return runner;
  }

  private async graphFor(size: number): Promise<{ graph: TrainingGraph; session: Session }> {
    const cached = this.graphs.get(size);
    if (cached) return cached;
    const { model, weights, logits, channels, variables } = this.trainer;
    const graph = buildTrainingGraph(model, { size, channels, labelWeights: weights, logits, trainable: new Set(variables.map((v) => v.name)) });
    const session = await this.ort.InferenceSession.create(graph.bytes, {
      executionProviders: ["cpu"],
      intraOpNumThreads: this.options.threads ?? intraOpThreads(),
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      ...(this.options.profilePrefix ? { enableProfiling: true, profileFilePrefix: this.options.profilePrefix } : {}),
    });
    const entry = { graph, session };
    this.graphs.set(size, entry);
    return entry;
  }

  private masks(dropouts: readonly DropoutMask[], n: number): Record<string, OrtTensor> {
    const random = mulberry32(hashSeed(this.options.seed, "dropout", this.stepNumber));
    const feeds: Record<string, OrtTensor> = {};
    for (const d of dropouts) {
      const kept = 1 / (1 - d.rate);
      const mask = new Float32Array(n * d.dims.reduce((a, b) => a * b, 1));
      for (let i = 0; i < mask.length; i++) mask[i] = random() < d.rate ? 0 : kept;
      feeds[d.input] = new this.ort.Tensor("float32", mask, [n, ...d.dims]);
    }
    return feeds;
  }

  private updateMovingStatistics(batchNorms: readonly BatchNormStatistics[], out: Record<string, OrtTensor>): void {
    // tfjs-layers: moving −= (moving − batch) · (1 − momentum), with the biased batch variance.
    for (const b of batchNorms) {
      for (const [name, output] of [[b.movingMean, b.mean], [b.movingVariance, b.variance]]) {
        const moving = this.moving.get(name)!;
        const batch = out[output].data as Float32Array;
        for (let i = 0; i < moving.length; i++) moving[i] -= (moving[i] - batch[i]) * (1 - b.momentum);
      }
    }
  }

  async step(batch: Batch, size: number, lr: number): Promise<number> {
    assertBatchLoaded(batch);
    const { ort, trainer } = this;
    trainer.optimizer.setLearningRate(lr);
    const { graph, session } = await this.graphFor(size);
    const n = batch.samples.length;
    const feeds: Record<string, OrtTensor> = {
      [TRAIN_INPUT]: new ort.Tensor("float32", batch.x.subarray(0, n * size * size * trainer.channels), [n, size, size, trainer.channels]),
      [TRAIN_TARGETS]: new ort.Tensor("float32", selectTargets(batch.y, trainer.labels), [n, trainer.labels.length]),
      ...this.masks(graph.dropouts, n),
    };
    for (const w of graph.weights) feeds[w.input] = new ort.Tensor("float32", this.params.get(w.variable)!.values, w.shape);
    const out = await session.run(feeds);
    this.stepNumber++;
    const loss = (out[TRAIN_LOSS].data as Float32Array)[0];
    // A non-finite loss ends the run (train.ts); the weights stay as they were.
    if (!Number.isFinite(loss)) return loss;
    this.updateMovingStatistics(graph.batchNorms, out);
    await this.optimizer.step(new Map(graph.gradients.map((g) => [g.variable, out[g.output].data as Float32Array])), lr);
    this.dirty = true;
    return loss;
  }

  /** Writes the weights, moving statistics and optimizer state back into the TF.js model and AdamW. */
  async sync(): Promise<void> {
    if (!this.dirty) return;
    const { tf } = this.trainer;
    tf.tidy(() => {
      for (const [name, p] of this.params) this.variables.get(name)!.write(tf.tensor(toTfLayout(p.layout, p.tfShape, p.values), p.tfShape));
      for (const [name, values] of this.moving) this.variables.get(name)!.write(tf.tensor(values, this.variables.get(name)!.shape as number[]));
    });
    await this.trainer.optimizer.restore(this.optimizer.serialize());
    this.dirty = false;
  }

  /** Stops profiling (profilePrefix): ONNX Runtime writes <prefix>_<time>.json per input size. */
  endProfiling(): void {
    for (const g of this.graphs.values()) g.session.endProfiling();
  }

  workerHeapBytes(): number[] {
    return [];
  }

  async close(): Promise<void> {
    await this.optimizerThread?.close();
    this.optimizerThread = null;
    const sessions = [...this.graphs.values()].map((g) => g.session);
    this.graphs.clear();
    await Promise.all(sessions.map((s) => s.release()));
  }
}
