// `ich import-weights` as a user runs it: a torchvision ResNet-18 with a 6-output classifier, exported
// by Debian's PyTorch, imported by the bundled CLI, then `ich predict` on an image gives PyTorch's
// probabilities for the same pixels (ImageNet normalisation applied by the model) on TF.js and, after
// `ich export`, on ONNX Runtime. Skips when /usr/bin/python3 has no torch/torchvision.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/core/data/rng";
import { LABELS } from "../../src/shared/labels";
import { bundleCli } from "../helpers/bundle-cli";

const PYTHON = "/usr/bin/python3";
const HAS_TORCH = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch, torchvision"], { stdio: "ignore" }).status === 0;
const SIZE = 32;

// Exports the model and prints its sigmoid outputs for the pixels in argv[2] (RGB, row-major, 0-255).
const EXPORT = `
import json, sys, torch, torchvision
torch.manual_seed(0)
m = torchvision.models.resnet18()
m.fc = torch.nn.Linear(512, 6)
m.eval()
torch.onnx.export(m, torch.randn(1, 3, ${SIZE}, ${SIZE}), sys.argv[1])
rgb = torch.tensor(json.load(open(sys.argv[2])), dtype=torch.float32).reshape(${SIZE}, ${SIZE}, 3).permute(2, 0, 1)[None] / 255
mean = torch.tensor([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)
with torch.no_grad():
    print(json.dumps(torch.sigmoid(m((rgb - mean) / std))[0].tolist()))
`;

let dir: string;
let cli: { cli: string; remove: () => void } | undefined;
let expected: number[];
const ich = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli!.cli, ...args], { encoding: "utf8", timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(async () => {
  if (!HAS_TORCH) return;
  dir = mkdtempSync(join(tmpdir(), "ich-import-cli-"));
  cli = await bundleCli("import-weights");
  const random = mulberry32(7);
  const png = new PNG({ width: SIZE, height: SIZE });
  const rgb: number[] = [];
  for (let i = 0; i < SIZE * SIZE; i++) {
    for (let c = 0; c < 3; c++) rgb.push((png.data[i * 4 + c] = Math.floor(random() * 256)));
    png.data[i * 4 + 3] = 255;
  }
  writeFileSync(join(dir, "slice.png"), PNG.sync.write(png));
  writeFileSync(join(dir, "pixels.json"), JSON.stringify(rgb));
  const run = spawnSync(PYTHON, ["-c", EXPORT, join(dir, "resnet18.onnx"), join(dir, "pixels.json")], { encoding: "utf8", timeout: 300_000 });
  if (run.status !== 0) throw new Error(`PyTorch export failed:\n${run.stderr.slice(-3000)}`);
  expected = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as number[];
}, 600_000);

afterAll(() => {
  cli?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const probabilities = (stdout: string) => {
  const result = JSON.parse(stdout) as { slices: { probabilities: Record<string, number> }[]; engine: { name: string } };
  return { engine: result.engine.name, values: LABELS.map((label) => result.slices[0].probabilities[label]) };
};

describe.skipIf(!HAS_TORCH)("ich import-weights (bundled CLI) with a torchvision export", () => {
  it("writes a model folder that keeps the 6-output classifier, and ich predict gives PyTorch's probabilities on TF.js and ONNX Runtime", () => {
    const model = join(dir, "r18");
    const imported = ich("import-weights", join(dir, "resnet18.onnx"), "--architecture", "resnet18", "--size", String(SIZE), "--out", model);
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`wrote ${model}: resnet18, head linear, 11.2 M parameters, ${SIZE}×${SIZE}×3 input, labels ${LABELS.join(", ")}`);
    expect(imported.stdout).toContain("classifier kept from the ONNX model");
    expect(imported.stdout).toContain("ImageNet normalisation built in");
    expect(JSON.parse(readFileSync(join(model, "ich-input.json"), "utf8"))).toMatchObject({ channels: 3, labels: [...LABELS], preprocess: { size: SIZE } });

    const tfjs = ich("predict", model, join(dir, "slice.png"), "--force", "--json", "--engine", "tfjs");
    expect(tfjs.code).toBe(0);
    const onTfjs = probabilities(tfjs.stdout);
    expect(onTfjs.engine).toBe("tfjs");
    onTfjs.values.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-4));

    expect(ich("export", model).code).toBe(0);
    const onnx = ich("predict", model, join(dir, "slice.png"), "--force", "--json", "--engine", "onnx");
    expect(onnx.code).toBe(0);
    const onOnnx = probabilities(onnx.stdout);
    expect(onOnnx.engine).toBe("onnx");
    onOnnx.values.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-4));
  });

  it("refuses the wrong architecture naming the file (exit 1) and writes no folder", () => {
    const out = join(dir, "wrong");
    const r = ich("import-weights", join(dir, "resnet18.onnx"), "--architecture", "resnet34", "--size", String(SIZE), "--out", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, "resnet18.onnx")}: cannot import the ONNX weights into resnet34`);
    expect(existsSync(out)).toBe(false);
  });
});
