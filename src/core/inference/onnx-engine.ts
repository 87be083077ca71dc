// The ONNX Runtime engine: runs <run>/model/model.onnx (graph contract in src/core/onnx/export.ts:
// input "input" NHWC float32, output "probabilities" sigmoid) on all cores, or on a GPU provider.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { averageProbabilities, flipHorizontal, type EngineInfo, type InferenceEngine, type InputShape } from "./engine";
import { intraOpThreads, type Ort } from "./ort";
import { profileProviderName, providersInProfile } from "./ort-gpu";
import { errorMessage } from "../../shared/errors";

export interface OnnxEngineOptions {
  /** Execution providers in order of preference (default ["cpu"]). */
  providers?: string[];
  /** Intra-op threads (default: every core). */
  threads?: number;
  /** Profile the first batch to learn which providers really ran it (default: when a non-CPU provider is requested). */
  verifyProviders?: boolean;
  version?: string;
}

// The graph contract's names (src/core/onnx/export.ts ONNX_INPUT/ONNX_OUTPUT; a test checks they
// agree). Not imported: export.ts loads TF.js, which the ONNX path must not pay for.
export const GRAPH_INPUT = "input";
export const GRAPH_OUTPUT = "probabilities";
const ONNX_INPUT = GRAPH_INPUT;
const ONNX_OUTPUT = GRAPH_OUTPUT;

type Session = Awaited<ReturnType<Ort["InferenceSession"]["create"]>>;

export class OnnxEngine implements InferenceEngine {
  private profileDir: string | null;

  private constructor(
    private readonly ort: Ort,
    private readonly session: Session,
    private readonly shape: InputShape,
    readonly info: EngineInfo,
    profileDir: string | null,
  ) {
    this.profileDir = profileDir;
  }

  /**
   * Opens `file` and checks that its input is [batch, size, size, channels] as `shape` says.
   * Throws (naming the file) when ORT cannot load it or the graph does not match.
   */
  static async open(ort: Ort, file: string, shape: InputShape, options: OnnxEngineOptions = {}): Promise<OnnxEngine> {
    const providers = options.providers ?? ["cpu"];
    const threads = options.threads ?? intraOpThreads();
    const verify = options.verifyProviders ?? providers.some((p) => p !== "cpu");
    const profileDir = verify ? mkdtempSync(join(tmpdir(), "ich-ort-profile-")) : null;
    let session: Session;
    try {
      session = await ort.InferenceSession.create(file, {
        executionProviders: providers,
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
        ...(profileDir ? { enableProfiling: true, profileFilePrefix: join(profileDir, "ort") } : {}),
      });
    } catch (error) {
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
      throw new Error(`${file}: ONNX Runtime cannot open it with providers [${providers.join(", ")}]: ${errorMessage(error)}`, { cause: error });
    }
    const fail = (why: string) => {
      void session.release();
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
      return new Error(`${file}: ${why}; re-export it with \`ich export\``);
    };
    if (!session.inputNames.includes(ONNX_INPUT) || !session.outputNames.includes(ONNX_OUTPUT)) throw fail(`graph has inputs [${session.inputNames.join(", ")}] and outputs [${session.outputNames.join(", ")}], expected "${ONNX_INPUT}" → "${ONNX_OUTPUT}"`);
    const meta = session.inputMetadata.find((m) => m.name === ONNX_INPUT);
    const dims = meta && meta.isTensor ? meta.shape.slice(1) : [];
    const expected = [shape.size, shape.size, shape.channels];
    if (dims.length !== 3 || dims.some((d, i) => typeof d === "number" && d !== expected[i])) throw fail(`graph input is [${meta && meta.isTensor ? meta.shape.join(", ") : "?"}], the model's preprocessing makes [batch, ${expected.join(", ")}]`);
    const onCpu = providers.every((p) => p === "cpu");
    const info: EngineInfo = {
      name: "onnx",
      device: `${onCpu ? "CPU" : providers.join(" → ")} (ONNX Runtime ${options.version ?? ort.env.versions.node ?? "?"}, ${threads} intra-op thread${threads === 1 ? "" : "s"})`,
      requestedProviders: providers,
      usedProviders: onCpu && !verify ? ["cpu"] : null,
      notes: [],
    };
    return new OnnxEngine(ort, session, shape, info, profileDir);
  }

  async predict(x: Float32Array, n: number, tta: boolean): Promise<Float32Array> {
    const { size, channels, outputs } = this.shape;
    const per = size * size * channels;
    if (x.length !== n * per) throw new Error(`ONNX engine: a batch of ${n} needs ${n * per} values, got ${x.length}`);
    const input = tta ? concat(x, flipHorizontal(x, n, size, channels)) : x;
    const rows = tta ? 2 * n : n;
    const result = await this.session.run({ [ONNX_INPUT]: new this.ort.Tensor("float32", input, [rows, size, size, channels]) });
    const probs = result[ONNX_OUTPUT].data as Float32Array;
    if (probs.length !== rows * outputs) throw new Error(`ONNX engine: the model gave ${probs.length / rows} outputs per image, expected ${outputs}`);
    if (this.profileDir) this.readProfile();
    if (!tta) return probs.slice();
    return averageProbabilities(probs.subarray(0, n * outputs), probs.subarray(n * outputs));
  }

  /** Ends profiling after the first batch and records which providers ran its nodes. */
  private readProfile(): void {
    const dir = this.profileDir!;
    this.profileDir = null;
    try {
      this.session.endProfiling();
      const file = readdirSync(dir).find((f) => f.endsWith(".json"));
      if (!file) throw new Error("ONNX Runtime wrote no profile");
      const counts = providersInProfile(readFileSync(join(dir, file), "utf8"));
      const used = Object.keys(counts);
      this.info.usedProviders = used;
      const requested = (this.info.requestedProviders ?? []).filter((p) => p !== "cpu").map(profileProviderName);
      if (requested.length > 0 && !requested.some((p) => used.includes(p))) this.info.notes.push(`${requested.join(", ")} was requested but every node ran on ${used.join(", ") || "no provider"}`);
      this.info.device = `${used.map((p) => `${p} (${counts[p]} nodes)`).join(" + ")}; ${this.info.device.replace(/^[^(]*\((.*)\)$/, "$1")}`;
    } catch (error) {
      this.info.notes.push(`could not tell which providers ran the model: ${errorMessage(error)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async dispose(): Promise<void> {
    if (this.profileDir) rmSync(this.profileDir, { recursive: true, force: true });
    await this.session.release();
  }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
