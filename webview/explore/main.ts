// Dataset explorer webview: counts, prevalence and co-occurrence, slices per series, header-field
// histograms, sample slices per subtype (click: DICOM preview), the cleaning report and the
// augmentation preview with a re-roll. Everything shown comes from `ich explore --json`.
import "@vscode-elements/elements/dist/vscode-button/index.js";
import { LABELS } from "../../src/shared/labels";
import { HEADER_FIELD_TITLES, HEADER_FIELDS, parseExploreToWebview, type AugmentationPreview, type ExploreFromWebview, type ExploreSummary, type Histogram, type ExploreToWebview } from "../../src/protocol/explore";
import { baseChartOptions, Chart, chartCard, createChart, followTheme, seriesColor, showDatasets } from "../shared/charts";
import { el } from "../shared/dom";
import { connectHost } from "../shared/host";

const host = connectHost<ExploreToWebview, ExploreFromWebview>(parseExploreToWebview, received);
const post = (message: ExploreFromWebview) => host.post(message);
const app = document.getElementById("app") as HTMLElement;
const charts: Chart[] = [];
let summary: ExploreSummary | undefined;
let canReroll = false;

const number = (n: number) => n.toLocaleString("en-US");
const percent = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.01 ? 2 : 1)}%`;

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(Math.abs(v) >= 10 ? 1 : 3).replace(/\.?0+$/, "");
}

function binLabel(h: Histogram, i: number): string {
  const b = h.bins[i];
  return h.kind === "values" ? formatValue(b.from) : `${formatValue(b.from)}–${formatValue(b.to)}`;
}

function barChart(
  id: string,
  title: string,
  labels: string[],
  values: number[],
  options: { yTitle: string; color?: string; percentAxis?: boolean; note?: string },
): HTMLElement {
  const { section, canvas } = chartCard(id, title);
  if (options.note) section.append(el("p", { class: "muted note" }, options.note));
  const chart = createChart(canvas, {
    type: "bar",
    data: { labels, datasets: [] },
    options: {
      ...baseChartOptions(false),
      scales: {
        x: { grid: {}, ticks: { autoSkip: true, maxRotation: 45 } },
        y: { beginAtZero: true, title: { display: true, text: options.yTitle }, grid: {}, ticks: options.percentAxis ? { callback: (v: number | string) => `${Number(v) * 100}%` } : { precision: 0 } },
      },
    },
  }) as unknown as Chart;
  showDatasets(chart, [{ label: title, data: values, backgroundColor: options.color ?? seriesColor(0), maxBarThickness: 56 }]);
  charts.push(chart);
  return section;
}

function histogramChart(id: string, title: string, h: Histogram, color: string): HTMLElement {
  const note = h.count === 0 ? "No values." : `${number(h.count)} files${h.missing ? `, ${number(h.missing)} without a value` : ""}${h.kind === "bins" ? `; range ${formatValue(h.min!)} to ${formatValue(h.max!)}` : ""}`;
  return barChart(id, title, h.bins.map((_, i) => binLabel(h, i)), h.bins.map((b) => b.count), { yTitle: "files", color, note });
}

function section(id: string, title: string, ...children: (Node | string)[]): HTMLElement {
  return el("section", { class: "explore-section", "data-section": id }, el("h3", { class: "section-title" }, title), ...children);
}

function countsSection(s: ExploreSummary): HTMLElement {
  const c = s.counts;
  const facts: [string, string][] = [
    ["Files", number(c.files)],
    ["DICOM", number(c.dicom)],
    ["PNG / JPG", number(c.images)],
    ["Unreadable headers", number(c.unreadable)],
    ["Patients", number(c.patients)],
    ["Studies", number(c.studies)],
    ["Series", number(c.series)],
  ];
  if (s.labelsFile) facts.push(["Labelled files", number(c.labelled)], ["Files without labels", number(c.unlabelled)], ["Labels without a file", c.labelsWithoutFiles === null ? "—" : number(c.labelsWithoutFiles)]);
  const dl = el("dl", { class: "facts" });
  for (const [k, v] of facts) dl.append(el("div", { "data-fact": k }, el("dt", {}, k), el("dd", {}, v)));
  const source = el("p", { class: "muted note" }, `Index ${s.source}. ${s.labelsFile ? `Labels ${s.labelsFile}.` : "No labels table (give --labels, or put labels.csv in the folder)."} ${s.cancelled ? "Indexing was stopped: the numbers cover the files indexed so far." : ""}`);
  return section("counts", "Dataset", dl, source);
}

function cooccurrenceTable(s: ExploreSummary): HTMLElement {
  const table = el("table", { class: "heatmap", "aria-label": "Label co-occurrence" });
  table.append(el("thead", {}, el("tr", {}, el("th", {}, ""), ...LABELS.map((l) => el("th", { scope: "col", title: l }, l)))));
  const body = el("tbody");
  s.cooccurrence.forEach((row, i) => {
    const tr = el("tr", {}, el("th", { scope: "row" }, LABELS[i]));
    row.forEach((n, j) => {
      const base = s.cooccurrence[i][i];
      const share = base ? n / base : 0;
      const cell = el("td", { "data-count": String(n), title: `${number(n)} of ${number(base)} ${LABELS[i]} files are also ${LABELS[j]} (${percent(share)})` }, number(n));
      cell.style.setProperty("--share", share.toFixed(3));
      if (share > 0.55) cell.classList.add("strong");
      tr.append(cell);
    });
    body.append(tr);
  });
  table.append(body);
  return el("section", { class: "card", "data-chart": "cooccurrence" }, el("h3", {}, "Co-occurrence"), el("p", { class: "muted note" }, "Files positive for both labels; shade: share of the row label's files."), table);
}

function labelsSection(s: ExploreSummary): HTMLElement {
  if (s.prevalence.length === 0) return section("prevalence", "Labels", el("p", { class: "muted" }, "No labelled files: prevalence and co-occurrence need a labels table."));
  const prevalence = barChart(
    "prevalence",
    "Prevalence",
    s.prevalence.map((p) => p.label),
    s.prevalence.map((p) => p.share),
    { yTitle: "share of labelled files", percentAxis: true, note: s.prevalence.map((p) => `${p.label} ${number(p.positives)} (${percent(p.share)})`).join(" · ") },
  );
  const chart = charts.at(-1)!;
  chart.data.datasets[0].backgroundColor = LABELS.map((_, i) => seriesColor(i));
  chart.update("none");
  return section("prevalence", "Labels", el("div", { class: "grid" }, prevalence, cooccurrenceTable(s)));
}

function distributionSection(s: ExploreSummary): HTMLElement {
  const cards = [histogramChart("slicesPerSeries", "Slices per series", s.slicesPerSeries, seriesColor(3))];
  HEADER_FIELDS.forEach((f, i) => cards.push(histogramChart(f, HEADER_FIELD_TITLES[f], s.headers[f], seriesColor(i + 4))));
  return section("headers", "Series and header fields", el("div", { class: "grid" }, ...cards));
}

function picture(src: string | null, file: string, caption: string, error?: string): HTMLElement {
  const figure = el("figure", { class: "thumb", tabindex: "0", role: "button", title: error ? `${file}\n${error}` : `Open ${file} in the DICOM preview`, "data-file": file });
  if (src) figure.append(el("img", { src, alt: caption }));
  else figure.append(el("div", { class: "thumb-missing" }, "unreadable"));
  figure.append(el("figcaption", {}, caption));
  const open = () => post({ type: "openSlice", file });
  figure.addEventListener("click", open);
  figure.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " " ? (e.preventDefault(), open()) : undefined));
  return figure;
}

function samplesSection(s: ExploreSummary): HTMLElement {
  const rows = s.samples.map((g) =>
    el("div", { class: "sample-row", "data-group": g.group }, el("div", { class: "sample-group" }, g.group === "none" ? "no bleed" : g.group), el("div", { class: "thumbs" }, ...g.slices.map((x) => picture(x.thumbnail, x.file, x.id, x.error)))),
  );
  const note = el("p", { class: "muted note" }, "Random slices of each group through the brain window (W80 L40), prepared as training prepares them. Click one to open it.");
  return section("samples", "Sample slices", note, ...(rows.length ? rows : [el("p", { class: "muted" }, "No readable slices.")]));
}

function cleanSection(s: ExploreSummary): HTMLElement {
  const clean = s.clean;
  if (!clean) return section("clean", "Cleaning report", el("p", { class: "muted" }, `No cleaning report for this folder yet. Run: ich clean ${s.experiment ?? s.root}`));
  const counts = el("table", { class: "kv" }, ...Object.entries(clean.counts).map(([kind, n]) => el("tr", { "data-kind": kind }, el("th", {}, kind), el("td", {}, number(n ?? 0)))));
  const issues = el(
    "table",
    { class: "triage issues" },
    el("thead", {}, el("tr", {}, el("th", {}, "Issue"), el("th", {}, "Image"), el("th", {}, "Detail"), el("th", {}, "Excluded"))),
    el("tbody", {}, ...clean.issues.map((i) => el("tr", {}, el("td", {}, i.kind), el("td", { title: i.file ?? "" }, i.id), el("td", {}, i.detail), el("td", {}, i.excluded ? "yes" : "")))),
  );
  const more = clean.totalIssues > clean.issues.length ? [el("p", { class: "muted note" }, `First ${clean.issues.length} of ${number(clean.totalIssues)} issues; the report has them all.`)] : [];
  return section(
    "clean",
    "Cleaning report",
    el("p", { class: "muted note" }, `${clean.file} (${clean.createdAt}): ${number(clean.files)} files, ${number(clean.decoded)} decoded, ${number(clean.excluded)} excluded in ${clean.exclusionCsv}; low brain content below ${percent(clean.lowBrainThreshold)}.`),
    el("div", { class: "grid" }, el("section", { class: "card" }, el("h3", {}, "Issues by kind"), counts)),
    issues,
    ...more,
  );
}

function augmentationBody(preview: AugmentationPreview): HTMLElement[] {
  const rows = preview.slices.map((x) =>
    el(
      "div",
      { class: "sample-row", "data-slice": x.id },
      el("div", { class: "sample-group" }, x.id),
      el("div", { class: "thumbs" }, ...(x.error ? [el("p", { class: "error" }, x.error)] : [picture(x.original, x.file, "original"), ...x.augmented.map((src, k) => picture(src, x.file, `draw ${k + 1}`))])),
    ),
  );
  return [el("p", { class: "muted note", id: "augment-note" }, `${preview.experiment}: seed ${preview.seed}; ${preview.shows}. Drawn by the training code's augmentImage with train.augment ${JSON.stringify(preview.augment)}.`), ...rows];
}

function augmentationSection(s: ExploreSummary): HTMLElement {
  if (!s.augmentation) return section("augmentation", "Augmentation preview", el("p", { class: "muted" }, "Open ICH: Explore Dataset on an experiment file (*.ich.json) to see its augmentations."));
  const reroll = el("vscode-button", { id: "reroll", secondary: "" }, "Re-roll");
  reroll.addEventListener("click", () => {
    reroll.setAttribute("disabled", "");
    post({ type: "reroll" });
  });
  const body = el("div", { id: "augment-body" }, ...augmentationBody(s.augmentation));
  const head = el("div", { class: "toolbar" }, el("h3", { class: "section-title" }, "Augmentation preview"), canReroll ? reroll : "");
  return el("section", { class: "explore-section", "data-section": "augmentation" }, head, body);
}

function setStatus(text: string, kind: "progress" | "error" = "progress"): void {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = text;
  status.className = kind === "error" ? "error" : "muted";
}

function shell(): void {
  const refresh = el("vscode-button", { secondary: "" }, "Refresh");
  refresh.addEventListener("click", () => post({ type: "refresh" }));
  app.replaceChildren(
    el("div", { class: "toolbar" }, el("h2", { id: "title" }, "Explore dataset"), el("span", { class: "research", role: "note" }, "Research tool — not for diagnosis"), el("span", { class: "spacer" }), refresh),
    el("p", { id: "status", class: "muted" }, "Indexing…"),
    el("div", { id: "content" }),
  );
}

function render(s: ExploreSummary): void {
  for (const c of charts.splice(0)) c.destroy();
  (document.getElementById("title") as HTMLElement).textContent = `Explore: ${s.root}`;
  setStatus(`${number(s.counts.files)} files summarised in ${s.seconds.toFixed(1)} s.`);
  (document.getElementById("content") as HTMLElement).replaceChildren(countsSection(s), labelsSection(s), distributionSection(s), samplesSection(s), cleanSection(s), augmentationSection(s));
  document.body.dataset.state = "ready";
}

shell();
followTheme(() => charts);
function received(message: ExploreToWebview): void {
  if (message.type === "progress") setStatus(message.message);
  else if (message.type === "error") {
    setStatus(message.message, "error");
    document.getElementById("reroll")?.removeAttribute("disabled");
    document.body.dataset.state = summary ? "ready" : "error";
  } else if (message.type === "summary") {
    summary = message.summary;
    canReroll = message.canReroll;
    render(message.summary);
  } else if (message.type === "augmentation") {
    document.getElementById("augment-body")?.replaceChildren(...augmentationBody(message.preview));
    document.getElementById("reroll")?.removeAttribute("disabled");
    document.body.dataset.augmentSeed = String(message.preview.seed);
  }
}

document.body.dataset.state = "loading";
post({ type: "ready" });
