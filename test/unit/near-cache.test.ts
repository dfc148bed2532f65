import { createMemoryStore } from "../../src/cache/memory-store";
import { createNearCache, nearEntryBytes, withNearEviction } from "../../src/cache/near-cache";

// The near cache's bookkeeping alone (src/cache/near-cache.ts): what a reader may keep after an
// invalidation or a flush came in between, and the memory bound. Redis's side is in
// test/integration/near-cache.test.ts.
describe("near cache bookkeeping", () => {
  const accepting = (maxBytes = 1 << 20) => {
    const near = createNearCache({ maxBytes });
    near.accepting = true;
    return near;
  };

  it("keeps what a read answered when nothing was invalidated since its ticket", () => {
    const near = accepting();
    const ticket = near.ticket();
    expect(near.keep(ticket, "k", "v1|x")).toBe(true);
    expect(near.get("k")?.text).toBe("v1|x");
  });

  it("refuses a key invalidated after the ticket was taken (the fill race), and only that key", () => {
    const near = accepting();
    const ticket = near.ticket();
    near.invalidate(["k"]);
    expect(near.keep(ticket, "k", "old")).toBe(false);
    expect(near.keep(ticket, "other", "fine")).toBe(true);
    expect(near.get("k")).toBeUndefined();
    // A read sent after the invalidation may keep it.
    expect(near.keep(near.ticket(), "k", "new")).toBe(true);
    expect(near.counters.refused).toBe(1);
  });

  it("refuses every keep in flight after a flush, and gives no ticket while not accepting", () => {
    const near = accepting();
    const ticket = near.ticket();
    near.keep(ticket, "a", "1");
    near.flush();
    expect(near.get("a")).toBeUndefined();
    expect(near.keep(ticket, "b", "2")).toBe(false);
    near.accepting = false;
    expect(near.ticket()).toBe(-1);
    expect(near.keep(-1, "c", "3")).toBe(false);
  });

  it("refuses keeps in flight once it forgets which keys moved (its record is bounded)", () => {
    const near = createNearCache({ maxBytes: 1 << 20, maxTrackedInvalidations: 3 });
    near.accepting = true;
    const ticket = near.ticket();
    near.invalidate(["a", "b", "c", "d"]);
    expect(near.keep(ticket, "unrelated", "x")).toBe(false);
    expect(near.keep(near.ticket(), "unrelated", "x")).toBe(true);
  });

  it("holds null (a counter absent in Redis) apart from not holding a key", () => {
    const near = accepting();
    near.keep(near.ticket(), "gen", null);
    expect(near.get("gen")).toEqual({ text: null });
    expect(near.get("absent")).toBeUndefined();
  });

  it("stays within maxBytes, dropping the least recently used", () => {
    const maxBytes = 10 * nearEntryBytes("key:00", "x".repeat(100));
    const near = accepting(maxBytes);
    for (let i = 0; i < 50; i += 1) {
      near.keep(near.ticket(), `key:${String(i).padStart(2, "0")}`, "x".repeat(100));
      expect(near.size.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(near.size.entries).toBe(10);
    expect(near.get("key:49")).toBeDefined();
    expect(near.get("key:00")).toBeUndefined();
  });

  it("drops what this process's own invalidation moved, the version counters (`after`) included, and refuses their keeps in flight", async () => {
    const near = accepting();
    const store = withNearEviction(createMemoryStore(), near);
    for (const key of ["row", "gen", "counter", "untouched"]) near.keep(near.ticket(), key, "1");
    const ticket = near.ticket();
    await store.invalidate(["row"], ["gen"], ["counter"]);
    expect(["row", "gen", "counter", "untouched"].map((key) => near.get(key)?.text)).toEqual([undefined, undefined, undefined, "1"]);
    expect(near.keep(ticket, "counter", "1")).toBe(false);
  });

  it("ignores invalidations under the test-only fault", () => {
    const near = createNearCache({ maxBytes: 1 << 20, ignoreInvalidations: true });
    near.accepting = true;
    near.keep(near.ticket(), "k", "v");
    near.invalidate(["k"]);
    expect(near.get("k")?.text).toBe("v");
  });
});
