// `ich render` — one CT slice through one window (greyscale) or up to three (RGB channel stack) to PNG.
import { writeFileAtomic } from "../../core/fs/atomic";
import { encodePng, loadHuSlice, parseWindowSpec, tensorToRgba, toModelTensor, windowChannels, WINDOW_NAMES, type Window } from "../../core/imaging";
import { parseCommandLine, UsageError, type Command } from "../usage";
import { errorMessage } from "../../shared/errors";

const USAGE = `Usage: ich render FILE --window SPEC --out OUT.png [--frame N] [--size N] [--no-rsna-fix]

Renders one slice of a CT DICOM file to PNG.
  --window   a named window (${WINDOW_NAMES.join(", ")}), a custom W,L such as 80,40,
             or up to three of them comma-separated (brain,subdural,bone): one window gives
             greyscale, two or three give the windows as the R, G, B channels (the model view)
  --out      PNG file to write
  --frame    0-based frame of a multi-frame file (default 0)
  --size     resize to SIZE x SIZE pixels, as the model input is (default: the image size)
  --no-rsna-fix  do not undo the RSNA 12-bit encoding bug (applied by default when detected)`;

function positiveInteger(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min) throw new UsageError(`--${name} must be an integer >= ${min} (got '${text}')`);
  return value;
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, {
      window: { type: "string", short: "w" },
      out: { type: "string", short: "o" },
      frame: { type: "string" },
      size: { type: "string" },
      "no-rsna-fix": { type: "boolean" },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "missing FILE" : `one FILE at a time (got ${positionals.length})`);
    if (!values.out) throw new UsageError("missing --out OUT.png");
    let windows: Window[];
    try {
      windows = parseWindowSpec(values.window ?? "brain");
    } catch (error) {
      throw new UsageError(`--window: ${errorMessage(error)}`);
    }
    if (windows.length > 3) throw new UsageError(`--window: at most three windows fit in a PNG's R, G, B channels (got ${windows.length})`);
    const frame = positiveInteger("frame", values.frame, 0) ?? 0;
    const size = positiveInteger("size", values.size, 1);
    const [file] = positionals;

    const slice = await loadHuSlice(file, { frame, rsnaFix: !values["no-rsna-fix"] });
    for (const warning of slice.header.warnings) process.stderr.write(`ich render: ${file}: warning: ${warning}\n`);
    const width = size ?? slice.columns;
    const height = size ?? slice.rows;
    const tensor =
      size === undefined
        ? windowChannels(slice.hu, windows, new Float32Array(slice.hu.length * windows.length))
        : toModelTensor(slice.hu, slice.rows, slice.columns, windows, size);
    const rgba = tensorToRgba(tensor, width * height, windows.length);
    const monochrome1 = slice.header.photometricInterpretation.toUpperCase() === "MONOCHROME1";
    if (windows.length === 1 && monochrome1) {
      for (let j = 0; j < rgba.length; j += 4) rgba[j] = rgba[j + 1] = rgba[j + 2] = 255 - rgba[j];
    }
    await writeFileAtomic(values.out, encodePng(rgba, width, height));
    const notes = [slice.rsnaFixApplied ? "RSNA 12-bit fix applied" : "", monochrome1 && windows.length === 1 ? "MONOCHROME1 shown inverted" : ""].filter(Boolean);
    process.stdout.write(
      `${values.out}: ${width}x${height} ${windows.length === 1 ? "greyscale" : "RGB"}, ${windows.map((w) => `${w.name} (W${w.width} L${w.level})`).join(", ")}${notes.length ? `; ${notes.join("; ")}` : ""}\n`,
    );
    return 0;
  },
};
