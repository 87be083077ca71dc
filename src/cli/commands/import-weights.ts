// `ich import-weights MODEL.onnx --architecture A --size N --out DIR` — torchvision weights exported
// to ONNX become a model folder that `ich predict`, `ich eval`, `ich export` and `model.pretrained` take.
import type { WindowSpec } from "../../core/experiment/types";
import { ARCHITECTURES, HEADS, isArchitecture, type HeadKind } from "../../core/models/types";
import { importWeightsToFolder } from "../../core/onnx/import-weights";
import { BACKEND_PREFERENCES, initBackend, type BackendPreference } from "../../core/tf/backend";
import { parseCommandLine, UsageError, type Command, SHARED_OPTIONS } from "../usage";

const USAGE = `Usage: ich import-weights MODEL.onnx --architecture A --size N --out DIR [options]

Imports a torchvision model exported to ONNX, e.g.
  python3 -c 'import torch, torchvision; torch.onnx.export(torchvision.models.resnet50(weights="IMAGENET1K_V1"), torch.randn(1, 3, 224, 224), "resnet50.onnx")'
into the catalog architecture A and writes DIR/model.json, weights.bin and ich-input.json. The
ONNX classifier is kept when it has 6 outputs (all labels) or 1 (any); otherwise the head is new
(random: use DIR as model.pretrained, not for predictions). The model normalises its input with
ImageNet's mean and std, as fastai does for pretrained models.
  --architecture A  ${ARCHITECTURES.filter((a) => a !== "small-cnn").join(", ")}
  --size N          input size ich predict prepares (AlexNet ≥ 63)
  --out DIR         model folder to write
  --head H          ${HEADS.join(", ")} (default linear; AlexNet's ImageNet classifier needs torchvision)
  --labels L        all or any: outputs of a new head (default all)
  --windows W,...   CT windows, one channel each (default brain,subdural,bone)
  --context K       neighbour slices each side as extra channels (default 0)
  --backend B       TF.js backend (${BACKEND_PREFERENCES.join(", ")})`;

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      architecture: { type: "string" },
      size: { type: "string" },
      out: { type: "string" },
      head: { type: "string" },
      labels: { type: "string" },
      windows: { type: "string" },
      context: { type: "string" },
      backend: SHARED_OPTIONS.backend,
    });
    if (positionals.length !== 1) throw new UsageError("expected exactly one MODEL.onnx");
    const architecture = values.architecture ?? "";
    if (!isArchitecture(architecture) || architecture === "small-cnn") throw new UsageError(`--architecture must be one of ${ARCHITECTURES.filter((a) => a !== "small-cnn").join(", ")}`);
    const size = Number(values.size);
    if (!values.size || !Number.isInteger(size) || size < 1) throw new UsageError("--size must be a positive integer");
    if (!values.out) throw new UsageError("--out DIR is required");
    const head = (values.head ?? "linear") as HeadKind;
    if (!(HEADS as readonly string[]).includes(head)) throw new UsageError(`--head must be one of ${HEADS.join(", ")}`);
    if (values.labels !== undefined && values.labels !== "all" && values.labels !== "any") throw new UsageError("--labels must be all or any");
    const context = values.context === undefined ? 0 : Number(values.context);
    if (!Number.isInteger(context) || context < 0) throw new UsageError("--context must be a non-negative integer");
    const windows = values.windows?.split(",").map((w) => w.trim()) as WindowSpec[] | undefined;
    const { tf } = await initBackend({ prefer: (values.backend ?? "auto") as BackendPreference, trainingKernels: false });
    const { out, labels } = values;
    const result = await importWeightsToFolder(tf, { onnx: positionals[0], architecture, size, out, head, labels, windows, context });
    const r = result.report;
    process.stdout.write(
      [
        `wrote ${result.dir}: ${architecture}, head ${head}, ${(result.parameters / 1e6).toFixed(1)} M parameters, ${size}×${size}×${result.spec.channels} input, labels ${result.labels.join(", ")}`,
        `  ${r.tensors} ONNX tensors imported${r.foldedBatchNorms ? ` (${r.foldedBatchNorms} batch norms were folded into convolutions by the export)` : ""}; ImageNet normalisation built in`,
        r.classifier === "kept" ? "  classifier kept from the ONNX model" : "  classifier is new (random weights): use the folder as model.pretrained and train before predicting",
        ...(r.inputAdaptation ? [`  ${r.inputAdaptation}`] : []),
      ].join("\n") + "\n",
    );
    return 0;
  },
};
