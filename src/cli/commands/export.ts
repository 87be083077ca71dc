// `ich export RUN [--out FILE]` — the run's best model as an ONNX file (ONNX Runtime, other tools).
import type { BackendChoice } from "../../core/experiment/types";
import { exportRunToOnnx } from "../../core/onnx/export";
import { openRunStore, RUNS_OPTION_HELP } from "../run-store";
import { parseCommandLine, UsageError, type Command, SHARED_OPTIONS } from "../usage";

const USAGE = `Usage: ich export RUN [--out FILE] [--runs DIR] [--backend B]

Writes the run's best model as ONNX (opset 17): input "input" float32 [batch, H, W, C], the
preprocessed slice exactly as \`ich predict\` prepares it; output "probabilities" float32
[batch, labels]. The labels, windows, input size, channels and run id are in its metadata.
  RUN         a run id in the run store, or a run (or model) folder
  --out FILE  where to write (default: RUN/model/model.onnx)
${RUNS_OPTION_HELP}
  --backend B TF.js backend that loads the model (auto, wasm, cpu, ...)`;

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      out: { type: "string" },
      runs: SHARED_OPTIONS.runs,
      backend: SHARED_OPTIONS.backend,
    });
    if (positionals.length !== 1) throw new UsageError("expected exactly one RUN");
    const result = await exportRunToOnnx(positionals[0], {
      runsDir: openRunStore(values.runs).root,
      out: values.out,
      backend: values.backend as BackendChoice | undefined,
    });
    const m = result.metadata;
    process.stdout.write(
      `wrote ${result.path} (${(result.bytes / 1e6).toFixed(1)} MB): ${m.architecture}, labels ${m.labels.join(", ")}, ${m.preprocess.size}×${m.preprocess.size}×${m.channels} input\n`,
    );
    return 0;
  },
};
