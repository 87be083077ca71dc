// Runtime checks the protocol parsers share: every message crossing the webview boundary is
// validated with these before either side trusts it.
import { isLabel, type Label } from "../shared/labels";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
export const isString = (v: unknown): v is string => typeof v === "string";
export const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
/** A whole number ≥ 0 (counts, indices). */
export const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
export const isProbability = (v: unknown): v is number => isFiniteNumber(v) && v >= 0 && v <= 1;
export const isLabelName = (v: unknown): v is Label => isString(v) && isLabel(v);
