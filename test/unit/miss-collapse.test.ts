import { createMissCollapse } from "../../src/miss-collapse";

// Identical misses executed once per process: the waiting requests look the entry up again after
// the execution, and never take what it computed.

/** A promise the test settles. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("createMissCollapse", () => {
  it("executes once while identical misses wait, then look the entry up again", async () => {
    const collapse = createMissCollapse<string>();
    let kept: string | null = null;
    const lookups: number[] = [];
    const lookup = (i: number) => async () => (lookups.push(i), kept);
    const first = await collapse.afterMiss("k", lookup(0));
    expect("execute" in first).toBe(true);
    const held = gate();
    let executions = 0;
    const leader = (first as { execute: (run: () => Promise<void>) => Promise<void> }).execute(async () => {
      executions += 1;
      await held.opened;
      kept = "answer";
    });
    const joiners = Array.from({ length: 5 }, (_, i) => collapse.afterMiss("k", lookup(i + 1)));
    await settle();
    expect(lookups).toEqual([]); // nobody looks while the execution runs
    expect([collapse.running("k"), collapse.running("other")]).toEqual([true, false]);
    held.open();
    await leader;
    expect(collapse.running("k")).toBe(false);
    expect(await Promise.all(joiners)).toEqual(Array(5).fill({ answer: "answer" }));
    expect(executions).toBe(1);
    expect(lookups).toEqual([1]); // one lookup, once the execution ended, for the five that waited for it
  });

  it("a request that joins after the execution ended and its waiters looked up looks up again itself", async () => {
    const collapse = createMissCollapse<string>();
    let kept: string | null = null;
    let lookups = 0;
    const lookup = async () => (lookups += 1, kept);
    const first = (await collapse.afterMiss("k", lookup)) as { execute: (run: () => Promise<void>) => Promise<void> };
    const waiter = collapse.afterMiss("k", lookup);
    await first.execute(async () => {
      kept = "answer";
    });
    expect(await waiter).toEqual({ answer: "answer" });
    // Nothing runs any more: a new miss takes its own turn, never the lookup shared before it came.
    expect("execute" in (await collapse.afterMiss("k", lookup))).toBe(true);
    expect(lookups).toBe(1);
  });

  it("gives one of the waiters the next turn when the execution was not kept; the others wait for it", async () => {
    const collapse = createMissCollapse<string>();
    let kept: string | null = null;
    const first = (await collapse.afterMiss("k", async () => kept)) as { execute: (run: () => Promise<void>) => Promise<void> };
    const held = gate();
    const leader = first.execute(() => held.opened); // read the database: not kept
    const waiters = Array.from({ length: 4 }, () => collapse.afterMiss("k", async () => kept));
    held.open();
    await leader;
    await settle();
    // Every waiter found nothing kept at the same moment: exactly one took the turn.
    const outcomes = await Promise.race([Promise.all(waiters), settle().then(() => null)]);
    expect(outcomes).toBeNull(); // the others are waiting for it
    const turns = await Promise.all(waiters.map((waiter) => Promise.race([waiter, settle().then(() => "waiting")])));
    const executing = turns.filter((turn) => typeof turn === "object" && "execute" in turn) as { execute: (run: () => Promise<void>) => Promise<void> }[];
    expect(executing).toHaveLength(1);
    expect(turns.filter((turn) => turn === "waiting")).toHaveLength(3);
    await executing[0].execute(async () => {
      kept = "answer";
    });
    expect(await Promise.all(waiters.filter((_, i) => turns[i] === "waiting"))).toEqual(Array(3).fill({ answer: "answer" }));
  });

  it("stops waiting after maxWaits executions and executes beside the one running", async () => {
    const collapse = createMissCollapse<string>(1);
    const first = (await collapse.afterMiss("k", async () => null)) as { execute: (run: () => Promise<void>) => Promise<void> };
    const held = gate();
    const running = first.execute(() => held.opened);
    const waiter = collapse.afterMiss("k", async () => null);
    held.open();
    await running;
    // The waiter found nothing kept after one wait and nothing runs: its own turn.
    expect("execute" in (await waiter)).toBe(true);
    const again = collapse.afterMiss("k", async () => "late");
    const third = gate();
    const another = first; // an execution of the same key is now registered by the waiter's turn
    void another;
    void third;
    expect(await Promise.race([again, settle().then(() => "waiting")])).toBe("waiting");
  });

  it("keeps keys apart, and a failed execution releases its waiters", async () => {
    const collapse = createMissCollapse<string>();
    const a = (await collapse.afterMiss("a", async () => null)) as { execute: (run: () => Promise<void>) => Promise<void> };
    expect("execute" in (await collapse.afterMiss("b", async () => null))).toBe(true);
    const failing = a.execute(async () => {
      throw new Error("boom");
    });
    const waiter = collapse.afterMiss("a", async () => "kept meanwhile");
    await expect(failing).rejects.toThrow("boom");
    expect(await waiter).toEqual({ answer: "kept meanwhile" });
  });
});
