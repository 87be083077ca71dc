// The TF.js backends an experiment (`train.backend`), `--backend` and the ichLab.backend setting
// may name. No TF.js import: the command line checks `--backend` without loading it.
import type { BackendChoice } from "../experiment/types";

export const BACKEND_CHOICES = ["auto", "tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const satisfies readonly BackendChoice[];

// Every BackendChoice is listed (a new one added to the union fails to compile here).
const listed: Record<BackendChoice, true> = { auto: true, "tensorflow-gpu": true, tensorflow: true, wasm: true, cpu: true };
void listed;
