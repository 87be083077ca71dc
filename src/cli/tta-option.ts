// `--tta | --no-tta` of predict and serve: the request that resolveTta (core/predict/tta.ts)
// settles against the run's eval.tta, so both commands average the same views.
import type { TtaSetting } from "../core/predict/tta";
import { UsageError, type OptionSpec } from "./usage";

export const TTA_OPTIONS = {
  tta: { type: "boolean" },
  "no-tta": { type: "boolean" },
} as const satisfies Record<string, OptionSpec>;

/** true (--tta), false (--no-tta) or undefined (the run's eval.tta); both is a usage error. */
export function ttaOption(values: { tta?: boolean; "no-tta"?: boolean }): TtaSetting | undefined {
  if (values.tta && values["no-tta"]) throw new UsageError("--tta and --no-tta contradict each other");
  return values["no-tta"] ? false : values.tta ? true : undefined;
}
