// Triage table webview: studies (series) sorted by the highest `any` probability, max over slices
// per label, expandable per-slice rows; a slice opens in the DICOM preview. Research output only.
import "@vscode-elements/elements/dist/vscode-button/index.js";
import { LABELS, type Label } from "../../src/shared/labels";
import { sortStudiesBy } from "../../src/shared/triage";
import { parseTriageToWebview, type TriageFromWebview, type TriageResult, type TriageStudy, type TriageToWebview } from "../../src/protocol/triage";
import { el } from "../shared/dom";
import { connectHost } from "../shared/host";

const host = connectHost<TriageToWebview, TriageFromWebview>(parseTriageToWebview, received);
const post = (message: TriageFromWebview) => host.post(message);
const app = document.getElementById("app") as HTMLElement;
const HIGH = 0.5;


function probabilityCell(p: number | undefined): HTMLTableCellElement {
  if (p === undefined) return el("td", { class: "p" }, "—");
  const cell = el("td", { class: `p${p >= HIGH ? " p-high" : ""}`, "data-p": String(p) }, p.toFixed(3));
  const bar = el("span", { class: "p-bar", "aria-hidden": "true" });
  bar.style.width = `${Math.round(p * 100)}%`;
  cell.append(bar);
  return cell;
}

function shortUid(uid: string): string {
  return uid.length > 28 ? `…${uid.slice(-24)}` : uid;
}

function studyRows(study: TriageStudy, index: number, labels: Label[]): HTMLTableRowElement[] {
  const twisty = el("span", { class: "twisty", "aria-hidden": "true" }, "▸");
  const row = el(
    "tr",
    { class: "study", tabindex: "0", "aria-expanded": "false", "data-study": study.studyUid, "data-rank": String(index + 1) },
    el("td", {}, twisty, String(index + 1)),
    el("td", { title: `study ${study.studyUid}\nseries ${study.seriesUid}` }, study.patientId ? `${study.patientId} ` : "", el("span", { class: "uid muted" }, shortUid(study.studyUid))),
    el("td", { class: "p" }, String(study.slices.length)),
    ...labels.map((l) => probabilityCell(study.max[l])),
  );
  const sliceRows = study.slices.map((slice) => {
    const name = slice.file.split(/[\\/]/).pop() ?? slice.file;
    const link = el("span", { class: "link", title: `Open ${slice.file} in the DICOM preview` }, name);
    const r = el("tr", { class: "slice", tabindex: "0", hidden: "", "data-file": slice.file }, el("td", {}, ""), el("td", {}, link), el("td", {}, ""), ...labels.map((l) => probabilityCell(slice.probabilities[l])));
    const open = () => post({ type: "openSlice", file: slice.file });
    r.addEventListener("click", open);
    r.addEventListener("keydown", (e) => (e.key === "Enter" ? open() : undefined));
    return r;
  });
  const toggle = () => {
    const expanded = row.getAttribute("aria-expanded") !== "true";
    row.setAttribute("aria-expanded", String(expanded));
    twisty.textContent = expanded ? "▾" : "▸";
    for (const r of sliceRows) r.hidden = !expanded;
  };
  row.addEventListener("click", toggle);
  row.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " " ? (e.preventDefault(), toggle()) : undefined));
  return [row, ...sliceRows];
}

let sortLabel: Label = "any";

function render(result: TriageResult): void {
  const labels = LABELS.filter((l) => result.labels.includes(l));
  const openCsv = el("vscode-button", { secondary: "" }, "Open CSV");
  openCsv.addEventListener("click", () => post({ type: "openCsv" }));
  const reveal = el("vscode-button", { secondary: "" }, "Reveal");
  reveal.addEventListener("click", () => post({ type: "revealCsv" }));
  const slices = result.studies.reduce((n, s) => n + s.slices.length, 0);
  const studies = sortLabel === "any" ? result.studies : sortStudiesBy(result.studies, sortLabel);
  const header = (label: Label) => {
    const th = el("th", { class: "p sortable", scope: "col", tabindex: "0", title: `Sort by ${label} (highest first)`, "aria-sort": label === sortLabel ? "descending" : "none" }, `${label}${label === sortLabel ? " ▾" : ""}`);
    const sort = () => {
      sortLabel = label;
      render(result);
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (e) => (e.key === "Enter" ? sort() : undefined));
    return th;
  };
  const table = el(
    "table",
    { class: "triage", id: "triage-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "#"), el("th", {}, "Patient / study"), el("th", {}, "Slices"), ...labels.map(header))),
    el("tbody", {}, ...studies.flatMap((s, i) => studyRows(s, i, labels))),
  );
  const failures = result.failures.length
    ? [el("h3", {}, `${result.failures.length} file(s) could not be predicted`), el("ul", { class: "failures" }, ...result.failures.map((f) => el("li", {}, `${f.file}: ${f.error}`)))]
    : [];
  app.replaceChildren(
    el("div", { class: "toolbar" }, el("h2", {}, "Triage"), el("span", { class: "research", role: "note" }, "Research output — not for diagnosis")),
    el("p", { class: "muted" }, `${result.studies.length} studies (series), ${slices} slices, model ${result.model}. Sorted by the highest "${sortLabel}" probability (click a column to sort by another label); values are the maximum over a series' slices. Click a study to list its slices, a slice to open it.`),
    el("div", { class: "toolbar" }, el("span", {}, "RSNA submission CSV: "), el("code", { id: "csv-path" }, result.csvPath), openCsv, reveal),
    table,
    ...failures,
  );
  document.body.dataset.studies = String(result.studies.length);
}

function received(message: TriageToWebview): void {
  render(message.result);
}

post({ type: "ready" });
