/** The six RSNA 2019 labels, in the order every tensor, CSV column and chart uses. */
export const LABELS = [
  "any",
  "epidural",
  "intraparenchymal",
  "intraventricular",
  "subarachnoid",
  "subdural",
] as const;

export type Label = (typeof LABELS)[number];

/** The five hemorrhage subtypes (every label but `any`). */
export const SUBTYPES = LABELS.slice(1) as readonly Exclude<Label, "any">[];

/** RSNA 2019 metric weights: `any` counts twice. */
export const DEFAULT_LABEL_WEIGHTS: Readonly<Record<Label, number>> = {
  any: 2,
  epidural: 1,
  intraparenchymal: 1,
  intraventricular: 1,
  subarachnoid: 1,
  subdural: 1,
};

export function isLabel(value: string): value is Label {
  return (LABELS as readonly string[]).includes(value);
}
