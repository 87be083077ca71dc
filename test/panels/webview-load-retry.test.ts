// A webview page whose bundle or stylesheet request fails loads it again (the inline script of the
// shell, src/extension/webview-load-retry.ts): in code-server a webview restored while another one
// registers its service worker loses its first requests, and the triage table then stayed on
// "Loading…" after a window reload. Real triage bundle and shell in headless Chromium.
import * as esbuild from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join, resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { panelHtml } from "../../src/extension/panels/html";
import { buildTriage } from "../../src/shared/triage";

const CHROMIUM = process.env.ICH_E2E_CHROMIUM ?? "/usr/bin/chromium";
const root = resolve(__dirname, "../..");
const result = buildTriage({ labels: ["any"], slices: [{ file: "/d/a.dcm", id: "a", probabilities: { any: 0.7 } }], failures: [] }, "/d/p.csv", "run-1");

/**
 * VS Code's webview worker in miniature: it forwards the page's bundle and stylesheet requests
 * (marked, so the server can tell), and claims the open pages only when the test lets it.
 */
const WORKER = `
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(fetch("/hold").then(() => self.clients.claim())));
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.pathname === "/triage.js" || url.pathname === "/panels.css") event.respondWith(fetch(url.pathname + "?via=worker"));
});`;

/** Stands in for VS Code: answers the page's `ready` with the prediction, as TriagePanel does. */
const hostStandIn = `window.acquireVsCodeApi = () => ({ setState() {}, postMessage(m) { if (m.type === "ready") window.postMessage(${JSON.stringify({ type: "result", result })}, "*"); } });`;

describe.skipIf(!existsSync(CHROMIUM))("webview shell: a failed script or stylesheet load is retried", () => {
  let server: Server;
  let browser: Browser;
  let origin = "";
  /** Requests per path, and how many of the first ones fail (503: Chromium itself repeats a request that got a dropped socket or a 408). */
  const requests = new Map<string, number>();
  const failFirst = new Map<string, number>();
  /** Requests the service worker of the second test forwarded, whether a bundle request past it fails, and the hold on its claim. */
  const viaWorker: string[] = [];
  let bundlePastWorkerFails = false;
  let releaseActivation: () => void = () => undefined;

  beforeAll(async () => {
    const bundle = (await esbuild.build({ entryPoints: [join(root, "webview/triage/main.ts")], bundle: true, format: "iife", platform: "browser", target: "es2022", write: false })).outputFiles[0].text;
    const css = readFileSync(join(root, "media/panels.css"), "utf8");
    server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", origin).pathname;
      if (req.url?.includes("via=")) viaWorker.push(req.url);
      const n = (requests.get(path) ?? 0) + 1;
      requests.set(path, n);
      if (n <= (failFirst.get(path) ?? 0)) return void res.writeHead(503).end();
      if (path === "/sw.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(WORKER);
      if (path === "/hold") return void (releaseActivation = () => res.writeHead(200).end());
      if (path === "/blank") return void res.writeHead(200, { "content-type": "text/html" }).end("<!DOCTYPE html><title>blank</title>");
      if (path === "/triage.js" && bundlePastWorkerFails && !req.url?.includes("via=")) res.writeHead(503).end();
      else if (path === "/triage.js") res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
      else if (path === "/panels.css") res.writeHead(200, { "content-type": "text/css" }).end(css);
      else res.writeHead(200, { "content-type": "text/html" }).end(panelHtml(origin, `${origin}/triage.js`, `${origin}/panels.css`, "triage", "Triage", { result }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  async function openTriage(failures: Record<string, number>, start = "/page") {
    requests.clear();
    failFirst.clear();
    viaWorker.length = 0;
    for (const [path, n] of Object.entries(failures)) failFirst.set(path, n);
    const page = await browser.newPage();
    const cspViolations: string[] = [];
    page.on("console", (m) => (/Content Security Policy|Refused to/i.test(m.text()) ? cspViolations.push(m.text()) : undefined));
    await page.addInitScript(hostStandIn);
    await page.goto(`${origin}${start}`);
    return { page, cspViolations };
  }

  it("shows the triage table although the first two requests of its bundle and the first of its stylesheet failed", async () => {
    const { page, cspViolations } = await openTriage({ "/triage.js": 2, "/panels.css": 1 });
    await page.locator('body[data-studies="1"]').waitFor({ timeout: 30_000 });
    expect(await page.locator("#csv-path").innerText()).toBe("/d/p.csv");
    expect(requests.get("/triage.js")).toBe(3);
    expect(requests.get("/panels.css")).toBe(2);
    // The retried stylesheet applies (panels.css draws a border around .research).
    expect(await page.locator(".research").evaluate((e) => getComputedStyle(e).borderStyle)).not.toBe("none");
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it("loads the bundle again once a service worker takes over the page whose first request went past every worker", async () => {
    bundlePastWorkerFails = true;
    const { page } = await openTriage({}, "/blank");
    // A worker is registered but has not claimed the page yet (it waits for the test), as when the
    // worker of another webview replaces the one this page was about to get.
    await page.evaluate(() => void navigator.serviceWorker.register("/sw.js"));
    await expect.poll(() => requests.get("/hold"), { timeout: 30_000 }).toBe(1);
    // VS Code writes the panel into its page; the bundle request goes straight to the network and fails.
    const html = await (await fetch(`${origin}/page`)).text();
    await page.evaluate((doc) => {
      document.open();
      document.write(doc);
      document.close();
    }, html);
    await expect.poll(() => requests.get("/triage.js"), { timeout: 30_000 }).toBe(1);
    expect(viaWorker).toEqual([]);
    releaseActivation();
    await page.locator('body[data-studies="1"]').waitFor({ timeout: 30_000 });
    expect(viaWorker).toContain("/triage.js?via=worker");
    expect(requests.get("/triage.js")).toBe(2);
    bundlePastWorkerFails = false;
    await page.close();
  });

  it("gives up after two retries: a bundle that cannot be loaded leaves the page as it was", async () => {
    const { page } = await openTriage({ "/triage.js": 99 });
    await expect.poll(() => requests.get("/triage.js"), { timeout: 30_000 }).toBe(3);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
    expect(requests.get("/triage.js")).toBe(3);
    expect(await page.locator("body").getAttribute("data-studies")).toBeNull();
    await page.close();
  });
});
