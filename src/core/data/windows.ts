import type { WindowSpec } from "../experiment/types";
import { WINDOWS, customWindow, type Window } from "../imaging";

/** Experiment window specs (preset names or {width, level}) → imaging windows. */
export function resolveWindows(specs: readonly WindowSpec[]): Window[] {
  return specs.map((spec) => {
    if (typeof spec !== "string") return customWindow(spec.width, spec.level);
    const preset = (WINDOWS as Record<string, Window>)[spec];
    if (!preset) throw new Error(`unknown window '${spec}'; known: ${Object.keys(WINDOWS).join(", ")}`);
    return preset;
  });
}
