// What the preview shows and knows: the one state object every other module reads and changes,
// and the client-side caches of slices and tags.
import type { SeriesEntry, SliceMessage, TagRow } from "../../src/protocol/preview";
import type { HeatGrid } from "./hover";
import { PRESETS, type HuArray, type Window } from "./render";
import { ClientSliceCache } from "./slice-cache";
import type { View } from "./viewport";

export interface Shown {
  message: SliceMessage;
  hu?: HuArray;
  rgba?: Uint8Array;
}

export const state = {
  shown: undefined as Shown | undefined,
  index: 0,
  total: 1,
  frame: 0,
  window: PRESETS[0].window,
  fileWindow: undefined as Window | undefined,
  userInvert: false,
  modelView: false,
  view: undefined as View | undefined,
  runId: null as string | null,
  threshold: 0.5,
  predictions: new Map<number, (number | null)[]>(),
  series: [] as SeriesEntry[],
  heat: undefined as (HeatGrid & { index: number; label: string }) | undefined,
  label: "any",
  /** When the user asked for the slice that is not shown yet (performance mark of a switch). */
  pendingSince: undefined as number | undefined,
  firstPaintDone: false,
  lastHoverReport: 0,
  tags: [] as TagRow[],
};

/** Slices and tag tables kept in the webview (the extension keeps more). */
export const CLIENT_CACHE = 40;
export const PREFETCH_REACH = 4;
export const sliceCache = new ClientSliceCache(CLIENT_CACHE);
export const tagsByFile = new Map<string, TagRow[]>();

/** The heat grid of the shown slice and label, when the heatmap is on and one arrived. */
export function shownHeat(heatOn: boolean): typeof state.heat {
  return heatOn && state.heat?.index === state.index && state.heat.label === state.label ? state.heat : undefined;
}
