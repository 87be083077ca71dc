// Drives the real preview webview bundle in headless Chromium with a stand-in for the extension
// host: decodes real slices with the extension's SliceLoader, posts them as the extension would,
// and reports the webview's own performance marks plus screenshots.
//   npx tsx test/preview/harness/webview-harness.ts [FOLDER_OR_FILE] [--out test-results/preview]
// Needs /usr/bin/chromium (or CHROMIUM=path) and ../shared/data (or a DICOM path argument).
import * as esbuild from "esbuild";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { basename, dirname, join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { readDicomHeader } from "../../../src/core/dicom";
import { previewHtml } from "../../../src/extension/preview/html";
import { orderSeries, sameSeries } from "../../../src/extension/preview/series";
import { SliceLoader } from "../../../src/extension/preview/slice-loader";
import type { SliceMessage, ToWebview } from "../../../src/protocol/preview";

const root = resolve(__dirname, "../../..");
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const outDir = resolve(outIndex >= 0 ? args[outIndex + 1] : join(root, "test-results", "preview"));
const input = resolve(args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--out") ?? join(root, "../shared/data/rsna-samples/series_ID_f10de2d018"));

async function seriesFiles(path: string): Promise<string[]> {
  const folder = statSync(path).isDirectory() ? path : dirname(path);
  const files = readdirSync(folder).filter((f) => f.endsWith(".dcm")).map((f) => join(folder, f));
  const slices = [];
  for (const file of files) {
    const header = await readDicomHeader(file).catch(() => undefined);
    if (header) slices.push({ file, header });
  }
  const first = statSync(path).isDirectory() ? slices[0] : slices.find((s) => s.file === path);
  if (!first) throw new Error(`no .dcm files in ${folder}`);
  return orderSeries(sameSeries(slices, first.file, first.header.seriesInstanceUid)).map((o) => o.slice.file);
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const bundle = await esbuild.build({ entryPoints: [join(root, "webview/preview/main.ts")], bundle: true, format: "iife", platform: "browser", target: "es2022", write: false, loader: { ".css": "text" } });
  const script = bundle.outputFiles[0].text;
  const css = readFileSync(join(root, "media/preview.css"), "utf8");
  const files = await seriesFiles(input);
  const loader = new SliceLoader();

  const server = createServer((req, res) => {
    if (req.url?.endsWith("preview.js")) res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    else if (req.url?.endsWith("preview.css")) res.writeHead(200, { "content-type": "text/css" }).end(css);
    else res.writeHead(200, { "content-type": "text/html" }).end(html);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const fakeWebview = { cspSource: origin, asWebviewUri: (u: { path: string }) => `${origin}${u.path}` };
  const html = previewHtml(fakeWebview as never, { path: "" } as never, ((base: { path: string }, ...parts: string[]) => ({ path: `${base.path}/${parts.join("/")}` })) as never);

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: false });
    page.on("console", (m) => m.type() === "error" && console.error("webview:", m.text()));
    page.on("pageerror", (e) => console.error("webview error:", e.message));
    // Strings, not functions: tsx's name-keeping helpers do not exist inside the page.
    // The stand-in host answers requestSlice from window.__slices (a warm slice cache) on the next task.
    await page.addInitScript(`
      window.__sent = []; window.__slices = {};
      window.acquireVsCodeApi = () => ({ postMessage: (m) => {
        window.__sent.push(m);
        const cached = m.type === "requestSlice" && window.__slices[m.index];
        if (cached) setTimeout(() => window.dispatchEvent(new MessageEvent("message", { data: { ...cached, pixels: cached.pixels.slice(0) } })), 0);
      } });`);
    const openedAt = Date.now();
    const firstSliceEarly = loader.load(files[Math.floor(files.length / 2)], 0);
    await page.goto(origin);
    await firstSliceEarly;
    const sliceMessage = async (index: number): Promise<SliceMessage> => {
      const s = await loader.load(files[index], 0);
      return { type: "slice", index, total: files.length, file: s.file, fileName: basename(s.file), frame: 0, frames: s.frames, width: s.width, height: s.height, pixelType: s.pixelType, pixels: s.pixels, monochrome1: s.monochrome1, photometric: s.photometric, transferSyntax: s.transferSyntax, windowCenter: s.windowCenter, windowWidth: s.windowWidth, instanceNumber: s.instanceNumber, decodeMs: s.decodeMs };
    };
    const post = async (message: ToWebview, target = "dispatch") => {
      const pixels = message.type === "slice" ? Buffer.from(message.pixels).toString("base64") : undefined;
      await page.evaluate(
        `(() => {
          const data = ${JSON.stringify({ ...message, pixels: undefined })};
          const b64 = ${JSON.stringify(pixels ?? null)};
          if (b64) data.pixels = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
          if (${JSON.stringify(target)} === "dispatch") window.dispatchEvent(new MessageEvent("message", { data }));
          else window.__slices[data.index] = data;
        })()`,
      );
    };
    const sent = () => page.evaluate<{ type: string; name?: string; ms?: number; index?: number }[]>("window.__sent");
    const canvasHash = () =>
      page.evaluate<{ h: number; lit: number }>(`(() => {
        const c = document.getElementById("canvas");
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let h = 0;
        let lit = 0;
        for (let i = 0; i < d.length; i += 4) {
          h = (h * 31 + d[i] + d[i + 1] * 3 + d[i + 2] * 7) >>> 0;
          if (d[i] + d[i + 1] + d[i + 2] > 30) lit++;
        }
        return { h, lit };
      })()`);

    const middle = Math.floor(files.length / 2);
    const firstSlice = sliceMessage(middle);
    await post({ type: "model", runId: null, threshold: 0.5 });
    await post(await firstSlice);
    await post({ type: "series", complete: true, index: middle, entries: files.map((f) => ({ fileName: basename(f) })) });
    const firstPaintWall = Date.now() - openedAt;
    const brain = await canvasHash();
    await page.screenshot({ path: join(outDir, "preview-brain.png") });
    await page.click('vscode-button[data-preset="bone"]');
    const bone = await canvasHash();
    await page.screenshot({ path: join(outDir, "preview-bone.png") });

    // Hover with predictions (made-up numbers: this harness tests display, not the model).
    await post({ type: "model", runId: "harness-run", threshold: 0.5 });
    await post({ type: "predictions", runId: "harness-run", entries: files.map((_, index) => ({ index, probabilities: [0.9, 0.05, 0.6, 0.1, 0.3, 0.7] })) });
    const box = (await page.locator("#canvas").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 2 + 5, box.y + box.height / 2 + 5);
    const tooltipRows = await page.locator("#tooltip .bar-row").count();
    await page.screenshot({ path: join(outDir, "preview-hover.png") });

    // Slice switches against a warm cache: wheel → requestSlice → cached answer → painted.
    for (let k = 1; k <= 6; k++) if (middle + k < files.length) await post(await sliceMessage(middle + k), "cache");
    const switches: number[] = [];
    for (let k = 0; k < 6; k++) {
      await page.mouse.wheel(0, 100);
      await page.waitForTimeout(150);
    }
    for (const m of await sent()) if (m.type === "perf" && m.name === "slice-switch" && m.ms !== undefined) switches.push(m.ms);
    const counter = await page.locator("#slice-counter").textContent();
    await page.screenshot({ path: join(outDir, "preview-scrolled.png") });

    await post({ type: "error", file: "broken.dcm", code: "truncated", message: "file ends inside the pixel data (expected 524288 bytes, found 1000)" });
    await page.mouse.wheel(0, 100);
    const errorText = await page.locator("#error").textContent();
    await page.screenshot({ path: join(outDir, "preview-error.png") });

    const perf = (await sent()).filter((m) => m.type === "perf");
    const report = {
      files: files.length,
      decodeMs: perf.find((m) => m.name === "decode")?.ms,
      firstPaintWebviewMs: perf.find((m) => m.name === "first-paint")?.ms,
      firstPaintWallMs: firstPaintWall,
      webviewReadyMs: perf.find((m) => m.name === "webview-ready")?.ms,
      firstRenderMs: perf.find((m) => m.name === "first-render")?.ms,
      hoverMs: perf.filter((m) => m.name?.startsWith("hover")).map((m) => m.ms),
      sliceSwitchMs: switches,
      brainVsBoneDiffer: brain.h !== bone.h,
      litPixels: brain.lit,
      tooltipRows,
      counter,
      errorText,
    };
    writeFileSync(join(outDir, "harness-report.json"), JSON.stringify(report, null, 2));
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
