// The explorer's messages: a real `ich explore` summary of a generated folder crosses the webview
// boundary intact, and what could harm the webview (non-PNG image sources, bad shapes) does not.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exploreDataset } from "../../src/core/dataset/explore";
import type { ExploreSummary } from "../../src/core/dataset/explore-types";
import { panelHtml } from "../../src/extension/panels/html";
import { parseExploreFromWebview, parseExploreToWebview } from "../../src/protocol/explore";
import { writeSyntheticDataset } from "../../src/core/synth";

let dir: string;
let summary: ExploreSummary;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ich-explore-protocol-"));
  await writeSyntheticDataset({ out: join(dir, "data"), patients: 2, slices: 5, seed: 9, size: 32 });
  summary = await exploreDataset(join(dir, "data"), { cacheFile: join(dir, "cache.jsonl"), samplesPerGroup: 2 });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clone = (): ExploreSummary => JSON.parse(JSON.stringify(summary)) as ExploreSummary;

describe("explore messages", () => {
  it("accepts the summary ich explore produces, unchanged", () => {
    const message = { type: "summary", summary: clone(), canReroll: false };
    expect(parseExploreToWebview(message)).toEqual(message);
    expect(parseExploreToWebview({ type: "progress", message: "indexing 3/10 files" })).toEqual({ type: "progress", message: "indexing 3/10 files" });
  });

  it("rejects thumbnails that are not inline PNGs, and malformed counts or matrices", () => {
    const script = clone();
    script.samples[0].slices[0].thumbnail = "javascript:alert(1)";
    expect(parseExploreToWebview({ type: "summary", summary: script, canReroll: false })).toBeNull();
    const svg = clone();
    svg.samples[0].slices[0].thumbnail = "data:image/svg+xml;base64,PHN2Zz4=";
    expect(parseExploreToWebview({ type: "summary", summary: svg, canReroll: false })).toBeNull();
    const negative = clone();
    negative.counts.files = -1;
    expect(parseExploreToWebview({ type: "summary", summary: negative, canReroll: false })).toBeNull();
    const ragged = clone();
    ragged.cooccurrence[2] = [1, 2];
    expect(parseExploreToWebview({ type: "summary", summary: ragged, canReroll: false })).toBeNull();
    const share = clone();
    share.prevalence[0].share = 1.5;
    expect(parseExploreToWebview({ type: "summary", summary: share, canReroll: false })).toBeNull();
    const histogram = clone();
    delete (histogram.headers as Partial<ExploreSummary["headers"]>).bitsStored;
    expect(parseExploreToWebview({ type: "summary", summary: histogram, canReroll: false })).toBeNull();
    expect(parseExploreToWebview({ type: "summary", summary: clone() })).toBeNull();
  });

  it("takes only known requests from the webview", () => {
    expect(parseExploreFromWebview({ type: "ready" })).toEqual({ type: "ready" });
    expect(parseExploreFromWebview({ type: "reroll", seed: 5 })).toEqual({ type: "reroll" });
    expect(parseExploreFromWebview({ type: "openSlice", file: "/a/b.dcm" })).toEqual({ type: "openSlice", file: "/a/b.dcm" });
    expect(parseExploreFromWebview({ type: "openSlice", file: "" })).toBeNull();
    expect(parseExploreFromWebview({ type: "openSlice" })).toBeNull();
    expect(parseExploreFromWebview({ type: "run", command: "rm" })).toBeNull();
  });

  it("is served by the panel shell with the strict CSP: scripts by nonce only, images from the webview or inline data", () => {
    const html = panelHtml("https://webview.test", "https://webview.test/dist/webview/explore.js", "https://webview.test/media/panels.css", "explore", "Explore");
    const csp = html.match(/content="([^"]+)"/)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'nonce-[^']+'(;|$)/);
    expect(csp).toContain("img-src https://webview.test data:");
    expect(html).toContain('data-panel="explore"');
  });
});
