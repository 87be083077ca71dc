// One open preview: shows the opened slice first, then indexes its folder into a series, serves
// slices on request (with prefetch), and drives predictions for the active model.
import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import * as vscode from "vscode";
import { DicomError } from "../../core/dicom/types";
import { LABELS } from "../../shared/labels";
import { parseFromWebview, type FromWebview, type SliceMessage, type ToWebview } from "../../protocol/preview";
import type { ActiveRun } from "../commands/activeModel";
import { executeCommand } from "../registerCommand";
import type { Predictor, Probabilities } from "./predictions";
import type { DecoderProcess } from "./decoder-process";
import { orderSeries, sameSeries } from "./series";
import { SliceLoader, type LoadedSlice } from "./slice-loader";
import { errorMessage } from "../../shared/errors";


export interface SessionDeps {
  output: vscode.OutputChannel;
  predictor: Predictor;
  activeModel(): ActiveRun | null;
  threshold(run: ActiveRun): Promise<number>;
  /** The slice-decoder process shared by every open preview. */
  decoder: DecoderProcess;
  /** Why no engine may run (Restricted Mode), shown instead of predictions; undefined = allowed. */
  engineBlocked?(): string | undefined;
  /** Receives every performance mark (for the e2e suite and the README numbers). */
  perf?(record: { file: string; name: string; ms: number; slices: number }): void;
}

export class PreviewSession implements vscode.Disposable {
  private files: string[];
  private positions: (number | undefined)[] = [];
  private index = 0;
  private seriesComplete = false;
  private readonly loader: SliceLoader;
  private readonly disposables: vscode.Disposable[] = [];
  private predictionAbort: AbortController | undefined;
  private predictingRun: string | undefined;
  private gradcamAbort: AbortController | undefined;
  private readonly predictions = new Map<string, Probabilities>();
  private modelRunId: string | null = null;
  private disposed = false;
  private readonly openedAt = Date.now();
  private readySeen = false;
  /** Files the core could not read: never sent to the engine. */
  private readonly unreadable = new Set<string>();
  private indexing: Promise<void> | undefined;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly file: string,
    private readonly deps: SessionDeps,
  ) {
    this.files = [file];
    this.loader = new SliceLoader(deps.decoder);
    this.disposables.push(panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)));
    // Decode while the webview loads and post the slice right away: VS Code holds messages until
    // the page has loaded, so the first paint does not wait for a "ready" round trip.
    void this.loader
      .load(file, 0, true)
      .then(() => {
        if (this.readySeen || this.disposed) return;
        this.sendModel();
        return this.sendSlice(0, 0);
      })
      .catch(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
    this.predictionAbort?.abort();
    this.gradcamAbort?.abort();
    this.loader.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private post(message: ToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private perf(name: string, ms: number): void {
    this.log(`[perf] ${name} ${ms.toFixed(1)} ms`);
    this.deps.perf?.({ file: basename(this.file), name, ms: Math.round(ms * 10) / 10, slices: this.files.length });
  }

  private log(line: string): void {
    this.deps.output.appendLine(`${new Date().toISOString().slice(11, 23)} ${basename(this.file)}: ${line}`);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseFromWebview(raw);
    if (!message) {
      this.log(`ignored a malformed message from the webview (${JSON.stringify(raw)?.slice(0, 120)})`);
      return;
    }
    try {
      await this.handle(message);
    } catch (error) {
      this.log(`error handling ${message.type}: ${errorMessage(error)}`);
    }
  }

  private async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case "ready":
        if (!this.readySeen) this.perf("open-to-webview-ready", Date.now() - this.openedAt);
        this.readySeen = true;
        // Also sent again when a hidden preview is shown: resend the state the webview lost.
        this.sendModel();
        await this.sendSlice(this.index, 0);
        if (this.seriesComplete) this.sendSeries();
        else this.indexing ??= this.indexFolder();
        await this.updatePredictions();
        return;
      case "requestSlice":
        if (message.index < this.files.length) await this.sendSlice(message.index, message.frame);
        return;
      case "prefetch":
        // Decode and send neighbours; the webview caches them for instant slice switches.
        for (const i of message.indices) if (i < this.files.length) await this.sendSlice(i, 0, false);
        return;
      case "perf": {
        // first-paint arrives on the webview's clock; the host measures open → paint itself.
        const ms = message.name === "first-paint" ? Date.now() - this.openedAt : message.ms;
        this.perf(message.name === "first-paint" ? "open-to-first-paint" : message.name, ms);
        return;
      }
      case "command":
        await executeCommand(message.command === "train" ? "ichLab.train" : "ichLab.selectActiveModel");
        return;
      case "requestGradcam":
        await this.sendGradcam(message.index, message.label);
        return;
    }
  }

  /** Posts slice `index`; `current` = the user is looking at it (else it is a prefetch). */
  private async sendSlice(index: number, frame: number, current = true): Promise<void> {
    const file = this.files[index];
    if (current) this.index = index;
    let slice: LoadedSlice;
    try {
      slice = await this.loader.load(file, frame, current);
    } catch (error) {
      if (!current) return; // the error shows when the user gets there
      const code = error instanceof DicomError ? error.code : "internal";
      const reason = error instanceof DicomError ? error.reason : errorMessage(error);
      this.log(`cannot show ${file}: ${reason}`);
      this.unreadable.add(file);
      this.post({ type: "error", file: basename(file), code, message: reason });
      const tags = await this.loader.tags(file);
      if (tags.length > 0) this.post({ type: "tags", file: basename(file), tags });
      return;
    }
    if (current && this.index !== index) return; // the user moved on while this slice decoded
    const message: SliceMessage = {
      type: "slice",
      index,
      total: this.files.length,
      file,
      fileName: basename(file),
      frame: slice.frame,
      frames: slice.frames,
      width: slice.width,
      height: slice.height,
      pixelType: slice.pixelType,
      // A copy: the cached buffer must survive being transferred to the webview.
      pixels: slice.pixels.slice(0),
      monochrome1: slice.monochrome1,
      photometric: slice.photometric,
      transferSyntax: slice.transferSyntax,
      windowCenter: slice.windowCenter,
      windowWidth: slice.windowWidth,
      position: this.positions[index],
      instanceNumber: slice.instanceNumber,
      decodeMs: slice.decodeMs,
    };
    this.post(message);
    this.post({ type: "tags", file: basename(file), tags: slice.tags });
  }

  private sendSeries(): void {
    this.post({
      type: "series",
      complete: this.seriesComplete,
      index: this.index,
      entries: this.files.map((f, i) => ({ fileName: basename(f), position: this.positions[i] })),
    });
  }

  /** Reads the headers of the folder's .dcm files (bounded parallel) and stacks the opened file's series. */
  private async indexFolder(): Promise<void> {
    const started = Date.now();
    const folder = dirname(this.file);
    try {
      const names = (await readdir(folder)).filter((n) => n.toLowerCase().endsWith(".dcm"));
      const paths = [this.file, ...names.map((n) => join(folder, n)).filter((p) => p !== this.file)];
      // Read in the decoder process: a hostile header (a deflate bomb) must not stall the host.
      const headers = await this.loader.headers(paths);
      const opened = headers[0];
      if (opened instanceof Error) throw opened;
      const slices = paths.flatMap((p, i) => {
        const header = headers[i];
        if (header instanceof Error) {
          this.unreadable.add(p);
          return [];
        }
        return [{ file: p, header }];
      });
      const ordered = orderSeries(sameSeries(slices, this.file, opened.seriesInstanceUid));
      if (this.disposed) return;
      const currentFile = this.files[this.index];
      this.files = ordered.map((o) => o.slice.file);
      this.positions = ordered.map((o) => o.position);
      this.index = Math.max(0, this.files.indexOf(currentFile));
      this.seriesComplete = true;
      this.log(`series: ${this.files.length} slice(s) of ${names.length} .dcm file(s) indexed in ${Date.now() - started} ms`);
      this.sendSeries();
      for (const d of [1, -1, 2, -2]) {
        const i = this.index + d;
        if (i >= 0 && i < this.files.length) void this.loader.load(this.files[i], 0).catch(() => undefined);
      }
      await this.updatePredictions();
    } catch (error) {
      this.seriesComplete = true;
      if (error instanceof DicomError) this.unreadable.add(this.file);
      this.log(`series not indexed: ${errorMessage(error)}`);
      this.sendSeries();
    }
  }

  private sendModel(): void {
    this.post({ type: "model", runId: this.deps.activeModel()?.id ?? null, threshold: 0.5 });
  }

  /** Called when the active model setting changes. */
  async modelChanged(): Promise<void> {
    this.predictions.clear();
    this.predictionAbort?.abort();
    this.predictingRun = undefined;
    this.sendModel();
    await this.updatePredictions();
  }

  private predictionEntries(): { index: number; probabilities: Probabilities }[] {
    return this.files.flatMap((f, index) => {
      const probabilities = this.predictions.get(f);
      return probabilities ? [{ index, probabilities }] : [];
    });
  }

  private async updatePredictions(): Promise<void> {
    const run = this.deps.activeModel();
    if ((run?.runDir ?? null) !== this.modelRunId) {
      this.predictions.clear();
      this.modelRunId = run?.runDir ?? null;
    }
    const blocked = this.deps.engineBlocked?.();
    if (blocked) {
      this.post({ type: "predictionStatus", state: "idle", message: blocked });
      return;
    }
    if (!run) {
      this.post({ type: "predictionStatus", state: "idle", message: "" });
      return;
    }
    const runId = run.id;
    const threshold = await this.deps.threshold(run);
    this.post({ type: "model", runId, threshold });
    const files = this.files.filter((f) => !this.unreadable.has(f));
    if (files.length === 0) {
      this.post({ type: "predictionStatus", state: "idle", message: "no readable slice to predict" });
      return;
    }
    const cached = await this.deps.predictor.cached(run.runDir, files);
    for (const [file, p] of cached) this.predictions.set(file, p);
    if (cached.size > 0) this.post({ type: "predictions", runId, entries: this.predictionEntries() });
    if (cached.size === files.length) {
      this.post({ type: "predictionStatus", state: "done", message: `${files.length} slice(s) predicted (cached)` });
      return;
    }
    if (!this.seriesComplete) return; // predict the whole series in one process once it is known
    if (this.predictingRun === run.runDir) return; // already running for this model
    this.predictionAbort?.abort();
    this.predictingRun = run.runDir;
    const abort = new AbortController();
    this.predictionAbort = abort;
    this.post({ type: "predictionStatus", state: "running", message: `predicting ${files.length - cached.size} slice(s) with ${runId}…` });
    try {
      const results = await this.deps.predictor.predict(run.runDir, files, abort.signal);
      if (this.predictingRun === run.runDir) this.predictingRun = undefined;
      if (abort.signal.aborted || this.deps.activeModel()?.runDir !== run.runDir) return;
      for (const [file, p] of results) this.predictions.set(file, p);
      this.post({ type: "predictions", runId, entries: this.predictionEntries() });
      this.post({ type: "predictionStatus", state: "done", message: `${results.size} / ${files.length} slice(s) predicted` });
    } catch (error) {
      if (abort.signal.aborted) return;
      this.predictingRun = undefined;
      const reason = errorMessage(error);
      this.log(`predictions failed: ${reason}`);
      this.post({ type: "predictionStatus", state: "error", message: `Predictions failed: ${reason}` });
    }
  }

  private async sendGradcam(index: number, label: string): Promise<void> {
    const run = this.deps.activeModel();
    if (!run || index >= this.files.length || !(LABELS as readonly string[]).includes(label)) return;
    const blocked = this.deps.engineBlocked?.();
    if (blocked) {
      this.post({ type: "predictionStatus", state: "idle", message: blocked });
      return;
    }
    // Only the latest request matters: scrolling on with the overlay on cancels the previous one.
    this.gradcamAbort?.abort();
    const abort = new AbortController();
    this.gradcamAbort = abort;
    this.post({ type: "predictionStatus", state: "running", message: `Grad-CAM (${label}) for slice ${index + 1}…` });
    try {
      const grid = await this.deps.predictor.gradcam(run.runDir, this.files[index], label, abort.signal);
      if (abort.signal.aborted) return;
      this.post({ type: "gradcam", index, label, width: grid.width, height: grid.height, values: grid.values });
      this.post({ type: "predictionStatus", state: "done", message: `Grad-CAM (${label}) ready` });
    } catch (error) {
      if (abort.signal.aborted) return;
      const reason = errorMessage(error);
      this.log(`Grad-CAM failed: ${reason}`);
      this.post({ type: "predictionStatus", state: "error", message: `Grad-CAM failed: ${reason}` });
    }
  }
}
