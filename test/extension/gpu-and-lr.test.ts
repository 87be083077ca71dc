import { describe, expect, it } from "vitest";
import { checkGpuRequirements, explainInstallFailure, librariesInLdconfig } from "../../src/extension/logic/gpuCheck";
import { formatLr, lrSweepSvg, withMaxLr } from "../../src/extension/logic/lrFind";
import { readLrFindOutput } from "../../src/protocol/engine-output";
import { experimentTemplate } from "../../src/core/experiment/template";
import { backendFromEnvironment } from "../../src/cli/commands/backend";

const LDCONFIG = `1234 libs found in cache \`/etc/ld.so.cache'
	libcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8
	libcudart.so.12 (libc6,x86-64) => /usr/local/cuda-12/lib64/libcudart.so.12
	libc.so.6 (libc6,x86-64, OS ABI: Linux 3.2.0) => /lib/x86_64-linux-gnu/libc.so.6
`;

describe("GPU requirements", () => {
  it("reads sonames from ldconfig -p", () => {
    expect([...librariesInLdconfig(LDCONFIG)]).toEqual(["libcudnn.so.8", "libcudart.so.12", "libc.so.6"]);
  });

  it("names CUDA 11 as missing on a CUDA-12-only machine and falls back to tfjs-node", () => {
    const result = checkGpuRequirements({ nvidiaSmi: "NVIDIA A10, 550.54\n", ldconfig: LDCONFIG, foundInLibraryPath: [] });
    expect(result.gpus).toEqual(["NVIDIA A10, 550.54"]);
    expect(result.missing.map((m) => m.soname)).toEqual(["libcudart.so.11.0"]);
    expect(result.packageName).toBe("@tensorflow/tfjs-node");
    expect(result.summary.join("\n")).toMatch(/Missing libcudart\.so\.11\.0/);
  });

  it("chooses tfjs-node-gpu with a GPU and both libraries", () => {
    const result = checkGpuRequirements({ nvidiaSmi: "Tesla T4, 470.1", ldconfig: LDCONFIG, foundInLibraryPath: ["libcudart.so.11.0"] });
    expect(result.missing).toEqual([]);
    expect(result.packageName).toBe("@tensorflow/tfjs-node-gpu");
  });

  it("says there is no GPU when nvidia-smi cannot run", () => {
    const result = checkGpuRequirements({ nvidiaSmi: undefined, ldconfig: undefined, foundInLibraryPath: [] });
    expect(result.packageName).toBe("@tensorflow/tfjs-node");
    expect(result.summary[0]).toMatch(/nvidia-smi. is not available/);
    expect(result.missing).toHaveLength(2);
  });

  it("recognises an offline npm failure", () => {
    expect(explainInstallFailure("npm error code ENOTFOUND\nnpm error network request failed")).toMatch(/offline/);
    expect(explainInstallFailure("npm error code E403")).toMatch(/see the log/);
  });
});

describe("learning-rate finder", () => {
  it("writes the suggestion into the template's maxLr keeping the formatting", () => {
    const text = experimentTemplate("synthetic", "t");
    const updated = withMaxLr(text, 0.0031234);
    expect((JSON.parse(updated) as { train: { schedule: { maxLr: number } } }).train.schedule.maxLr).toBe(0.00312);
    expect(updated.replace('"maxLr": 0.00312', '"maxLr": 0.001')).toBe(text);
  });

  it("adds a schedule when the experiment has none", () => {
    const updated = withMaxLr('{"name":"x","train":{"epochs":2}}', 0.01);
    expect((JSON.parse(updated) as { train: unknown }).train).toEqual({ epochs: 2, schedule: { kind: "one-cycle", maxLr: 0.01 } });
  });

  it("reads the engine's result and plots it", () => {
    const printed = { suggestedLr: 0.002, steepestLr: 0.002, minimumLr: 0.01, stoppedEarly: true, backend: "wasm", device: "CPU", size: 32, points: [{ lr: 1e-5, loss: 0.7, smoothed: 0.7 }, { lr: 1e-3, loss: 0.4, smoothed: 0.5 }, { lr: 1e-1, loss: 2, smoothed: 1 }, { lr: 1, loss: Number.NaN, smoothed: Number.NaN }] };
    // As the CLI prints it: JSON turns the diverged NaN loss into null.
    const result = readLrFindOutput(`${JSON.stringify(printed)}\n`);
    expect(result.points).toHaveLength(4);
    expect(result.points[3].loss).toBeNull();
    const svg = lrSweepSvg(result);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("suggested 2.00e-3");
    expect((svg.match(/>1e-?\d+</g) ?? []).length).toBe(5);
    expect(() => readLrFindOutput(JSON.stringify({ ...printed, suggestedLr: undefined }))).toThrow(/ich lr-find --json: suggestedLr is not a positive number/);
    expect(() => readLrFindOutput(JSON.stringify({ ...printed, points: [{ lr: -1, loss: 1, smoothed: 1 }] }))).toThrow(/points\[0\]/);
    expect(formatLr(0.000123456)).toBe("0.000123");
  });
});

describe("ich backend environment", () => {
  it("reads ICH_BACKEND and ICH_NATIVE_MODULES", () => {
    expect(backendFromEnvironment({ ICH_BACKEND: "tensorflow", ICH_NATIVE_MODULES: "/a:/b" })).toEqual({ prefer: "tensorflow", nativeModulePaths: ["/a", "/b"] });
    expect(backendFromEnvironment({ ICH_BACKEND: "bogus" })).toEqual({ prefer: undefined, nativeModulePaths: [] });
  });
});
