// One human-readable duration format for the CLI, the Runs view and the panels.

/** Seconds as `12s`, `3m 05s` or `1h 02m` (rounded to whole seconds; callers handle negative and missing values). */
export function formatElapsed(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}
