import { describe, expect, it } from "vitest";
import { LruCache } from "../../src/extension/preview/lru";

describe("LruCache", () => {
  it("evicts the least recently used entry, where get refreshes recency", () => {
    const cache = new LruCache<string, number>(3);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect(cache.get("a")).toBe(1); // a is now the most recent
    cache.set("d", 4); // evicts b
    expect(cache.has("b")).toBe(false);
    expect(cache.keys()).toEqual(["c", "a", "d"]);
    cache.set("c", 30); // overwrite refreshes too
    cache.set("e", 5); // evicts a
    expect(cache.keys()).toEqual(["d", "c", "e"]);
    expect(cache.get("c")).toBe(30);
    expect(cache.size).toBe(3);
  });

  it("rejects a capacity below one and supports delete/clear", () => {
    expect(() => new LruCache(0)).toThrow(/positive integer/);
    const cache = new LruCache<number, string>(2);
    cache.set(1, "x");
    expect(cache.delete(1)).toBe(true);
    expect(cache.get(1)).toBeUndefined();
    cache.set(2, "y");
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
