import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli } from "../helpers/bundle-cli";

let cli = "";
let removeCli = () => {};
const work = mkdtempSync(join(tmpdir(), "ich-synth-cli-"));

function ich(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function readPng(path: string) {
  return PNG.sync.read(readFileSync(path));
}

beforeAll(async () => {
  ({ cli, remove: removeCli } = await bundleCli("synth"));
});

afterAll(() => {
  removeCli();
  rmSync(work, { recursive: true, force: true });
});

describe("ich synth and ich render", () => {
  const data = join(work, "data");
  let first = "";

  it("synthesises a series with labels and prints a JSON summary", () => {
    const r = ich("synth", "--out", data, "--patients", "2", "--slices", "3", "--seed", "4", "--size", "64", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as unknown;
    expect(summary).toMatchObject({ files: 6, patients: 2, slices: 3, seed: 4, size: 64 });
    const dcm = readdirSync(data).filter((f) => f.endsWith(".dcm")).sort();
    expect(dcm).toHaveLength(6);
    expect(readFileSync(join(data, "labels.csv"), "utf8").split("\n")[0]).toBe("ID,Label");
    first = join(data, dcm[0]);
  });

  it("renders one window as greyscale at the image size", () => {
    const png = join(work, "brain.png");
    const r = ich("render", first, "--window", "brain", "--out", png);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("64x64 greyscale");
    const image = readPng(png);
    expect([image.width, image.height]).toEqual([64, 64]);
    const values = new Set<number>();
    for (let i = 0; i < image.data.length; i += 4) {
      expect(image.data[i]).toBe(image.data[i + 1]);
      expect(image.data[i]).toBe(image.data[i + 2]);
      values.add(image.data[i]);
    }
    expect(values.size).toBeGreaterThan(10);
    expect(image.data[0]).toBe(0); // air corner is black in the brain window
  });

  it("renders three windows as an RGB stack, resized with --size", () => {
    const png = join(work, "stack.png");
    const r = ich("render", first, "--window", "brain,subdural,bone", "--out", png, "--size", "32");
    expect(r.code).toBe(0);
    const image = readPng(png);
    expect([image.width, image.height]).toEqual([32, 32]);
    let coloured = 0;
    for (let i = 0; i < image.data.length; i += 4) if (image.data[i] !== image.data[i + 2]) coloured++;
    expect(coloured).toBeGreaterThan(50);
  });

  it("accepts a custom W,L window", () => {
    const r = ich("render", first, "--window", "400,40", "--out", join(work, "custom.png"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("W400/L40");
  });

  it("exits 2 on usage errors and 1 on unreadable input", () => {
    const bad = ich("render", first, "--window", "brian", "--out", join(work, "x.png"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown window 'brian'");
    expect(ich("render", first, "--window", "80", "--out", join(work, "x.png")).code).toBe(2);
    expect(ich("render", first, "--window", "brain,subdural,bone,stroke", "--out", join(work, "x.png")).code).toBe(2);
    expect(ich("render", first, "--window", "brain").code).toBe(2);
    expect(ich("synth", "--out", join(work, "y"), "--patients", "zero").code).toBe(2);
    expect(ich("synth", "--patients", "1").code).toBe(2);
    const missing = ich("render", join(work, "missing.dcm"), "--out", join(work, "x.png"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("missing.dcm");
  });
});
