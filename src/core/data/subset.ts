// data.where: a label-defined subset, e.g. { "any": 1 } for the bleed-only images notebook 06
// trains its subtype model on. An image matches when it has labels and every named label has
// the given value.
import { LABELS, type Label } from "../../shared/labels";

export type LabelWhere = Partial<Record<Label, 0 | 1>>;

export function matchesWhere(labels: ArrayLike<number> | null | undefined, where: LabelWhere | undefined): boolean {
  if (!where) return true;
  if (!labels) return false;
  for (const [label, value] of Object.entries(where)) {
    if (labels[LABELS.indexOf(label as Label)] !== value) return false;
  }
  return true;
}

export function describeWhere(where: LabelWhere): string {
  return Object.entries(where)
    .map(([label, value]) => `${label} = ${value}`)
    .join(" and ");
}
