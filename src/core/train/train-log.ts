// train.log: a run's human-readable log, the lines `ich train` prints on a terminal (every event
// but the per-step bar; steps are in metrics.jsonl), each with its UTC time. Lines arrive before
// the run folder exists (backend warnings) and are held until it does; every line is appended
// to the file as it comes, so a crashed run keeps its log up to the crash.
import type { ProgressEvent } from "../runs/types";
import { describeEvent } from "./progress-format";
import { errorMessage } from "../../shared/errors";

interface LogTarget {
  readonly paths: { logFile: string };
  appendLog(text: string): Promise<void>;
}

export class TrainLog {
  private target: LogTarget | null = null;
  private held: string[] = [];
  private written: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  record(event: ProgressEvent): void {
    const line = describeEvent(event);
    if (line === null) return;
    const stamped = `${new Date().toISOString()} ${line}`;
    if (this.target) this.write(stamped);
    else this.held.push(stamped);
  }

  /** From now on lines go to `run`'s train.log (appended: a resumed run continues its log). */
  attach(run: LogTarget): void {
    this.target = run;
    if (this.held.length > 0) this.write(this.held.join("\n"));
    this.held = [];
  }

  private write(text: string): void {
    const target = this.target!;
    this.written = target.appendLog(text).catch((error: unknown) => {
      this.failure ??= new Error(`${target.paths.logFile}: ${errorMessage(error)}`);
    });
  }

  /** Waits for every line to be written; throws the first write failure. */
  async flush(): Promise<void> {
    await this.written;
    if (this.failure) throw this.failure;
  }
}
