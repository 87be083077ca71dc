// `ich backend` — initialises the TF.js backend the engine would use here and reports it, with
// ONNX Runtime (the default prediction engine): its providers, CUDA 12 needs and what really ran.
// The extension's "ICH: Show Backend Info" / "Set Up GPU Backend" run this in a fresh process.
import { delimiter } from "node:path";
import { BACKEND_PREFERENCES, initBackend, type BackendPreference } from "../../core/tf/backend";
import { engineFromEnvironment } from "../../core/inference/open-engine";
import { probeOrt } from "../../core/inference/ort-probe";
import { autoTrainsOnOnnx } from "../../core/train/step-runner";
import { parseCommandLine, type Command, SHARED_OPTIONS } from "../usage";
import type { BackendOutput } from "../../protocol/engine-output";

const USAGE = `Usage: ich backend [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu] [--native-modules DIR]... [--json]

Initialises the TF.js backend and prints backend, device, package versions and warnings.
  --backend         preference (default: $ICH_BACKEND or auto)
  --native-modules  extra folder with @tensorflow/tfjs-node[-gpu] installed (repeatable;
                    default: $ICH_NATIVE_MODULES, ${delimiter}-separated)
  --json            one JSON object: {backend, device, gpu, versions, warnings, replacedKernels,
                    engine: {default, onnx: {available, version, providers, cudaProviderInstalled,
                    threads, gpu: {missing, ...}, probe: {requested, used, device}}},
                    autoTrainingEngine: "onnx" | "tfjs" (what train.engine "auto" trains on here)}`;

/** Backend preference and native-module folders from the environment the extension sets. */
export function backendFromEnvironment(env: NodeJS.ProcessEnv = process.env): { prefer?: BackendPreference; nativeModulePaths: string[] } {
  const raw = env.ICH_BACKEND?.trim();
  const prefer = raw && (BACKEND_PREFERENCES as readonly string[]).includes(raw) ? (raw as BackendPreference) : undefined;
  return { prefer, nativeModulePaths: (env.ICH_NATIVE_MODULES ?? "").split(delimiter).filter(Boolean) };
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandLine(
      argv,
      { backend: SHARED_OPTIONS.backend, "native-modules": { type: "string", multiple: true }, json: SHARED_OPTIONS.json },
      false,
    );
    const fromEnv = backendFromEnvironment();
    const prefer = (values.backend ?? fromEnv.prefer ?? "auto") as BackendPreference;
    const nativeModulePaths = values["native-modules"] ?? fromEnv.nativeModulePaths;
    const info = await initBackend({ prefer, nativeModulePaths, trainingKernels: true });
    const onnx = await probeOrt(info.tf);
    const engineChoice = engineFromEnvironment();
    const ortRuns = onnx.available && onnx.probe !== undefined && !("error" in onnx.probe);
    const engine = { default: engineChoice === "auto" ? (ortRuns ? "onnx" : "tfjs") : engineChoice, onnx };
    const autoTrainingEngine = onnx.available && autoTrainsOnOnnx(info.backend) ? "onnx" : "tfjs";
    const report: BackendOutput = {
      backend: info.backend,
      device: info.device,
      gpu: /^GPU\b/.test(info.device),
      versions: { node: process.versions.node, ...info.packages },
      warnings: info.warnings,
      replacedKernels: info.replacedKernels,
      engine,
      autoTrainingEngine,
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      const lines = [`backend  ${report.backend}`, `device   ${report.device}`, ...Object.entries(report.versions).map(([name, version]) => `${name.padEnd(8)} ${version}`)];
      lines.push(`engine   ${engine.default} for predictions (models with a current model.onnx; TF.js otherwise)`);
      if (onnx.available) {
        lines.push(`onnx     onnxruntime-node ${onnx.version}, providers ${onnx.providers?.map((p) => `${p.name}${p.bundled ? "" : " (not bundled)"}`).join(", ")}, ${onnx.threads} threads`);
        if (onnx.probe) lines.push("error" in onnx.probe ? `onnx     probe failed: ${onnx.probe.error}` : `onnx     probe ran on ${onnx.probe.device}`);
        for (const missing of onnx.gpu?.missing ?? []) lines.push(`onnx GPU missing: ${missing}`);
      } else lines.push(`onnx     unavailable: ${onnx.reason}`);
      lines.push(`training ${autoTrainingEngine === "onnx" ? "onnx (ONNX Runtime, every core)" : `tfjs (TF.js ${report.backend})`} under train.engine "auto"`);
      for (const warning of report.warnings) lines.push(`warning: ${warning}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    info.tf.disposeVariables();
    return 0;
  },
};
