// `ich synth` — a folder of synthetic head-CT phantom series with RSNA-style labels.
import { LABELS } from "../../shared/labels";
import { DEFAULT_SYNTH_SIZE, writeSyntheticDataset } from "../../core/synth";
import { parseCommandLine, UsageError, type Command } from "../usage";

const USAGE = `Usage: ich synth --out DIR [--patients N] [--slices M] [--seed S] [--size PX] [--json]

Writes synthetic axial head-CT series (not patients: phantoms with epidural, subdural,
subarachnoid, intraparenchymal and intraventricular hemorrhages) as DICOM files
ID_<hex>.dcm, plus labels.csv (RSNA stage_2_train.csv layout) and metadata.csv.
The same seed always writes the same bytes.
  --out       folder to write (created if missing)
  --patients  number of patients, one series each (default 4)
  --slices    slices per series (default 12)
  --seed      integer seed (default 1)
  --size      image width and height in pixels (default ${DEFAULT_SYNTH_SIZE})
  --json      print the summary as one JSON object`;

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || value < min || value > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got '${text}')`);
  return value;
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandLine(
      argv,
      {
        out: { type: "string", short: "o" },
        patients: { type: "string" },
        slices: { type: "string" },
        seed: { type: "string" },
        size: { type: "string" },
        json: { type: "boolean" },
      },
      false,
    );
    if (!values.out) throw new UsageError("missing --out DIR");
    const patients = integer("patients", values.patients, 4, 1, 100_000);
    const slices = integer("slices", values.slices, 12, 1, 1000);
    const seed = integer("seed", values.seed, 1, -2147483648, 4294967295);
    const size = integer("size", values.size, DEFAULT_SYNTH_SIZE, 16, 2048);
    const result = await writeSyntheticDataset({
      out: values.out,
      patients,
      slices,
      seed,
      size,
      onProgress: values.json ? undefined : (done, total) => process.stderr.write(`\rich synth: ${done}/${total} patients`),
    });
    if (!values.json) process.stderr.write("\n");
    const { positives } = result;
    const { labelsCsv, metadataCsv } = result;
    const summary = { out: values.out, files: result.files.length, patients, slices, seed, size, labelsCsv, metadataCsv, positives };
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      const counts = LABELS.map((l) => `${l} ${positives[l]}`).join(", ");
      process.stdout.write(`Wrote ${result.files.length} DICOM files (${patients} patients x ${slices} slices, ${size}x${size}, seed ${seed}) to ${values.out}\n`);
      process.stdout.write(`Labels: ${result.labelsCsv} (positive slices: ${counts})\nMetadata: ${result.metadataCsv}\n`);
    }
    return 0;
  },
};
