import { afterEach, describe, expect, it, vi } from "vitest";
import { onInterrupt } from "../../src/cli/interrupt";

afterEach(() => vi.restoreAllMocks());

describe("onInterrupt (Ctrl-C in long commands)", () => {
  it("aborts on the first signal, quits with 130 on the second, and releases its handlers", () => {
    const exit = vi.spyOn(process, "exit").mockImplementation(() => undefined as never);
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const before = process.listenerCount("SIGTERM");
    const interrupt = onInterrupt({ message: "stopping…", signals: ["SIGINT", "SIGTERM"] });
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    process.emit("SIGTERM");
    expect(interrupt.signal.aborted).toBe(true);
    expect(stderr).toHaveBeenCalledWith("\nstopping…\n");
    expect(exit).not.toHaveBeenCalled();
    process.emit("SIGINT");
    expect(exit).toHaveBeenCalledWith(130);
    interrupt.release();
    expect(process.listenerCount("SIGTERM")).toBe(before);
  });
});
