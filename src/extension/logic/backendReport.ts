// Markdown for ICH: Show Backend Info, from `ich backend --json` and the newest run's throughput.
import type { BackendOutput } from "../../protocol/engine-output";
/** `ich backend --json`, as the engine contract defines it. */
export type BackendProbe = BackendOutput;

/** Table rows about the prediction engine (ONNX Runtime or TF.js). */
export function engineRows(engine: NonNullable<BackendProbe["engine"]>): string[] {
  const { onnx } = engine;
  const rows = [`| Prediction engine (\`ich predict\`, preview, triage, \`ich eval\`) | **${engine.default === "onnx" ? "ONNX Runtime" : "TF.js"}** (TF.js for runs without a current model.onnx, and for Grad-CAM) |`];
  if (!onnx.available) return [...rows, `| ONNX Runtime | unavailable: ${onnx.reason ?? "?"} |`];
  rows.push(`| ONNX Runtime | ${onnx.version ?? "?"}, ${onnx.threads ?? "?"} intra-op threads; providers: ${(onnx.providers ?? []).map((p) => (p.bundled ? p.name : `${p.name} (not installed by default)`)).join(", ")} |`);
  if (onnx.probe) rows.push(`| ONNX Runtime ran on | ${"error" in onnx.probe ? `probe failed: ${onnx.probe.error}` : `${onnx.probe.used?.join(", ") ?? "unknown"} (requested ${onnx.probe.requested.join(" → ")})`} |`);
  rows.push(`| ONNX Runtime CUDA 12 | ${onnx.gpu?.ready ? "ready" : `missing: ${(onnx.gpu?.missing ?? ["?"]).join("; ")}`} |`);
  return rows;
}

export interface Throughput {
  runId: string;
  imagesPerSec: number;
  backend: string;
  time: string;
}

/** Last `imagesPerSec` in a metrics.jsonl text (epoch lines preferred over step lines). */
export function lastImagesPerSec(metricsJsonl: string): { imagesPerSec: number; time: string } | undefined {
  let lastStep: { imagesPerSec: number; time: string } | undefined;
  const lines = metricsJsonl.split(/\r?\n/).filter((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    let line: { kind?: string; imagesPerSec?: number; time?: string };
    try {
      line = JSON.parse(lines[i]) as typeof line;
    } catch {
      continue;
    }
    if (typeof line.imagesPerSec !== "number") continue;
    const value = { imagesPerSec: line.imagesPerSec, time: line.time ?? "" };
    if (line.kind === "epoch") return value;
    lastStep ??= value;
  }
  return lastStep;
}

export function backendReportMarkdown(probe: BackendProbe, setting: string, nodePath: string, throughput: Throughput | undefined): string {
  const lines = [
    "# ICH Lab — backend",
    "",
    "| | |",
    "|---|---|",
    `| Setting \`ichLab.backend\` | ${setting} |`,
    `| Backend in use | **${probe.backend}** |`,
    `| Device | ${probe.device ?? "—"} |`,
    `| Node for engine processes | \`${nodePath}\` |`,
  ];
  if (probe.engine) lines.push(...engineRows(probe.engine));
  for (const [name, version] of Object.entries(probe.versions ?? {})) lines.push(`| ${name} | ${version} |`);
  lines.push(
    "",
    throughput
      ? `Last measured throughput: **${throughput.imagesPerSec.toFixed(1)} img/s** (run \`${throughput.runId}\`, ${throughput.backend}${throughput.time ? `, ${throughput.time}` : ""}).`
      : "No run has recorded a throughput yet.",
  );
  if (probe.warnings && probe.warnings.length > 0) {
    lines.push("", "## Warnings", "");
    for (const warning of probe.warnings) lines.push(`- ${warning}`);
  }
  lines.push("", "_Research tool, not for diagnosis._");
  return lines.join("\n");
}
