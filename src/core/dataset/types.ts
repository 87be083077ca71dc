// The output contracts of `ich index` and `ich clean`, read by the dataset explorer and by
// training (data.exclude). Plain JSON: an index is JSON lines of IndexEntry; a cleaning report is
// one CleanReport object plus a CSV exclusion list (ID,file,reason).

/** One file of a dataset folder, from a header-only read (DICOM) or the file name (JPG/PNG). */
export interface IndexEntry {
  /** Path relative to the indexed folder, "/"-separated. */
  file: string;
  /** Image id: the file name without extension ("ID_0123abcd"), the key of the labels table. */
  id: string;
  size: number;
  mtimeMs: number;
  kind: "dicom" | "image";
  /** Why the header could not be read; the other header fields are then absent. */
  error?: string;
  sopInstanceUid?: string;
  patientId?: string;
  studyUid?: string;
  seriesUid?: string;
  modality?: string;
  rows?: number;
  columns?: number;
  samplesPerPixel?: number;
  photometric?: string;
  bitsAllocated?: number;
  bitsStored?: number;
  pixelRepresentation?: number;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  windowCenter?: number;
  windowWidth?: number;
  /** Row, column spacing in mm. */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  /** ImagePositionPatient z (mm): the slice's place in its series. */
  position?: number;
  instanceNumber?: number;
  transferSyntaxUid?: string;
  /** The RSNA 12-bit mis-encoding applies (see dicom/header rsnaFixApplies). */
  rsnaFix?: boolean;
  /** Six 0/1 values in LABELS order when a labels table was given and has this id; null: no label row. */
  labels?: number[] | null;
}

/** What `ich index --json` prints, and the last thing the explorer needs before reading lines. */
export interface IndexSummary {
  root: string;
  /** The JSON-lines index written (the header cache, or --out). */
  indexFile: string;
  files: number;
  dicom: number;
  images: number;
  /** Headers read this time (the rest came from the cache: same path, size and mtime). */
  read: number;
  cached: number;
  unreadable: number;
  /** Present when --labels was given. */
  labels?: { file: string; labelledImages: number; filesWithoutLabels: number; labelsWithoutFiles: number };
  /** True when the index stopped early (Ctrl-C); the cache holds everything read so far. */
  cancelled: boolean;
  seconds: number;
}

export type CleanIssueKind =
  /** Pixel data cannot be decoded (truncated, corrupt, unsupported). */
  | "unreadable"
  /** The RSNA 12-bit mis-encoding; fixed on load, listed for information. */
  | "rsna-fix"
  | "not-ct"
  | "colour"
  /** Rows × Columns unlike the folder's usual size. */
  | "unusual-size"
  | "no-labels"
  /** A label row whose image file is missing. */
  | "missing-file"
  | "duplicate-label-row"
  | "conflicting-labels"
  /** Fewer than six label rows for an image (the missing ones would read as 0). */
  | "incomplete-labels"
  | "duplicate-sop-uid"
  /** `any` differs from the OR of the five subtypes. */
  | "any-mismatch"
  /** Share of pixels inside the brain window below the threshold (the seed's 20 % rule). */
  | "low-brain-content";

export interface CleanIssue {
  kind: CleanIssueKind;
  id: string;
  /** The file (relative to the folder); absent for label rows without a file. */
  file?: string;
  detail: string;
  /** Whether the exclusion list names this image. */
  excluded: boolean;
}

export interface CleanReport {
  root: string;
  labelsFile?: string;
  /** The experiment file the report was made for, when given one. */
  experiment?: string;
  /** data.where of that experiment: only matching images were checked. */
  where?: Record<string, 0 | 1>;
  createdAt: string;
  files: number;
  /** Files whose pixels were decoded (the unreadable ones are not among them). */
  decoded: number;
  /** Files whose pixels could not be read: decoded + unreadable = files. Absent in reports made before it was added. */
  unreadable?: number;
  counts: Partial<Record<CleanIssueKind, number>>;
  /** The commonest Rows×Columns and how many files have it. */
  usualSize?: { rows: number; columns: number; files: number };
  lowBrainThreshold: number;
  /** One per image and kind: every excluding issue, informational kinds up to 1,000 each (`counts` has all). */
  issues: CleanIssue[];
  /** Ids in the exclusion CSV. */
  excluded: number;
  exclusionCsv: string;
  seconds: number;
}
