import { describe, expect, it } from "vitest";
import type { BatchTask } from "../../src/core/data/batch-task";
import { openDataset, preprocessOptions } from "../../src/core/data/dataset";
import { LoaderPool } from "../../src/core/data/loader-pool";
import { tinyConfig } from "../train/tiny-config";

// The process-level symptom (the event loop emptying while close() waits) is covered by
// test/cli/commands.test.ts, which runs `ich lr-find` as a process.
describe("closing a loader pool with batches in flight", () => {
  it("rejects the batches still being prepared, resolves, and refuses new work", async () => {
    const config = tinyConfig();
    const plan = await openDataset(config);
    const pool = new LoaderPool(1);
    expect(pool.inThread).toBe(false);
    const task: BatchTask = { samples: plan.train.slice(0, 8), preprocess: preprocessOptions(config), channels: 3, augment: null, augmentSeed: 0 };
    await pool.run(task);
    const inFlight = [pool.run(task), pool.run(task)].map((batch) => batch.then(() => "ready", (error: Error) => error.message));
    await pool.close();
    expect(await Promise.all(inFlight)).toEqual(["loader pool closed before the batch was ready", "loader pool closed before the batch was ready"]);
    await expect(pool.run(task)).rejects.toThrow("loader pool is closed");
    await pool.close();
  });
});
