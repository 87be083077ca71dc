// Learning-rate finder results (`ich lr-find --json`, read by readLrFindOutput): an SVG plot, and
// writing the suggestion into the experiment's train.schedule.maxLr.
import type { LrFindOutput } from "../../protocol/engine-output";
/** Loss against log10(lr) as an SVG line chart with the suggestion marked. */
export function lrSweepSvg(result: Pick<LrFindOutput, "points" | "suggestedLr">, width = 640, height = 320): string {
  const pad = { left: 56, right: 16, top: 16, bottom: 40 };
  // A diverged loss (null) is not plotted.
  const pts = result.points.flatMap((p) => (p.loss !== null && Number.isFinite(p.loss) ? [{ lr: p.lr, loss: p.loss }] : []));
  const xs = pts.map((p) => Math.log10(p.lr)).concat(Math.log10(result.suggestedLr));
  const ys = pts.map((p) => p.loss);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yMin = ys.length ? Math.min(...ys) : 0;
  const yMax = ys.length ? Math.max(...ys) : 1;
  const sx = (x: number) => pad.left + ((x - xMin) / (xMax - xMin || 1)) * (width - pad.left - pad.right);
  const sy = (y: number) => pad.top + (1 - (y - yMin) / (yMax - yMin || 1)) * (height - pad.top - pad.bottom);
  const path = pts.map((p, i) => `${i === 0 ? "M" : "L"}${sx(Math.log10(p.lr)).toFixed(1)},${sy(p.loss).toFixed(1)}`).join(" ");
  const ticks: string[] = [];
  for (let e = Math.ceil(xMin); e <= Math.floor(xMax); e++) {
    const x = sx(e).toFixed(1);
    ticks.push(`<line x1="${x}" y1="${height - pad.bottom}" x2="${x}" y2="${height - pad.bottom + 4}" stroke="#888"/><text x="${x}" y="${height - pad.bottom + 16}" font-size="11" text-anchor="middle" fill="#888">1e${e}</text>`);
  }
  const mark = sx(Math.log10(result.suggestedLr)).toFixed(1);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#888"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#888"/>`,
    ...ticks,
    `<text x="${pad.left - 6}" y="${pad.top + 10}" font-size="11" text-anchor="end" fill="#888">${yMax.toFixed(3)}</text>`,
    `<text x="${pad.left - 6}" y="${height - pad.bottom}" font-size="11" text-anchor="end" fill="#888">${yMin.toFixed(3)}</text>`,
    `<text x="${(width / 2).toFixed(0)}" y="${height - 6}" font-size="12" text-anchor="middle" fill="#555">learning rate (log scale)</text>`,
    path ? `<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="2"/>` : "",
    `<line x1="${mark}" y1="${pad.top}" x2="${mark}" y2="${height - pad.bottom}" stroke="#d62728" stroke-dasharray="4 3"/>`,
    `<text x="${mark}" y="${pad.top + 12}" font-size="12" fill="#d62728" dx="4">suggested ${result.suggestedLr.toExponential(2)}</text>`,
    `</svg>`,
  ].join("");
}

/**
 * The experiment text with train.schedule.maxLr set. A single existing `"maxLr": <number>` is
 * replaced in place so the file's formatting survives; otherwise the JSON is rewritten.
 */
export function withMaxLr(text: string, maxLr: number): string {
  const pattern = /("maxLr"\s*:\s*)(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/g;
  const matches = [...text.matchAll(pattern)];
  const literal = formatLr(maxLr);
  if (matches.length === 1) return text.replace(pattern, (_m, prefix: string) => `${prefix}${literal}`);
  const json = JSON.parse(text) as { train?: { schedule?: Record<string, unknown> } };
  json.train ??= {};
  json.train.schedule ??= { kind: "one-cycle" };
  json.train.schedule.maxLr = Number(literal);
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** Three significant digits, as a JSON number literal. */
export function formatLr(lr: number): string {
  return String(Number(lr.toPrecision(3)));
}
