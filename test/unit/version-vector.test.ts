import { createKeys } from "../../src/cache/keys";
import { epochKeysOf, exactVersionsPerGroup, versionBucketCount, versionBumpsOf, versionKeysOf, versionTagOf } from "../../src/cache/version-vector";
import { etagMatches, requestKeyOf } from "../../src/response-cache";

const keys = createKeys("t:v1:");
const tags = (versionKeys: string[]) => versionKeys.map((key) => versionTagOf(keys, key)).sort();

describe("version vectors", () => {
  it("names the exact counter of each key of a small answer", () => {
    const read = [keys.productKey(5), keys.productSkuKey("A B"), keys.categoryKey(3), keys.generationKey("prod"), keys.generationKey("prods:cat", 3)];
    expect(tags(versionKeysOf(keys, read, 0))).toEqual(["=cat:3", "=gen:prod", "=gen:prods:cat:3", "=prod:5", "=prod:sku:A%20B"]);
  });

  it("switches a group to its buckets past the exact limit, so a vector never grows past a bucket per group", () => {
    const categories = Array.from({ length: 2481 }, (_, i) => keys.categoryKey(i + 1));
    const products = Array.from({ length: exactVersionsPerGroup }, (_, i) => keys.productKey(i + 1));
    const vector = tags(versionKeysOf(keys, [...categories, keys.categoryTreeKey(), ...products, keys.generationKey("cat")], 0));
    const buckets = vector.filter((tag) => tag.startsWith("cat#"));
    expect(buckets.length).toBe(versionBucketCount);
    expect(vector.filter((tag) => tag.startsWith("=prod:")).length).toBe(exactVersionsPerGroup);
    expect(vector).toContain("=cat:tree");
    expect(vector).toContain("=gen:cat");
    expect(vector.length).toBe(versionBucketCount + exactVersionsPerGroup + 2);
  });

  it("moves, for every key a write changes, its exact counter, its bucket and its group's epoch: whichever a response named", () => {
    const changed = keys.categoryKey(7);
    const bumps = tags(versionBumpsOf(keys, [changed]));
    expect(bumps).toHaveLength(3);
    expect(bumps[0]).toBe("=cat:7");
    expect(bumps[1]).toBe("@cat");
    const large = tags(versionKeysOf(keys, Array.from({ length: 500 }, (_, i) => keys.categoryKey(i + 1)), 0));
    expect(large).toContain(bumps[2]);
    // Scoped generations share their family's buckets and epoch; unscoped ones stand alone.
    expect(tags(versionBumpsOf(keys, [keys.generationKey("prods:cat", 9)]))[2]).toMatch(/^gen:prods:cat#\d+$/);
    expect(tags(versionBumpsOf(keys, [keys.generationKey("prods:cat", 9)]))[1]).toBe("@gen:prods:cat");
    expect(tags(versionBumpsOf(keys, [keys.generationKey("search")]))[2]).toMatch(/^gen:search#\d+$/);
  });

  it("names one epoch per group a response read, whatever it read, each moved by any write of its group", () => {
    const tree = [...Array.from({ length: 2481 }, (_, i) => keys.categoryKey(i + 1)), ...Array.from({ length: 600 }, (_, i) => keys.categoryChildrenKey(i + 1))];
    expect(tags(epochKeysOf(keys, tree, 0))).toEqual(["@cat", "@cat:children"]);
    const sku = [keys.productSkuKey("A"), keys.productKey(5), keys.categoryKey(3), keys.categoryKey(1)];
    const epochs = epochKeysOf(keys, sku, 0);
    expect(tags(epochs)).toEqual(["@cat", "@prod", "@prod:sku"]);
    // A price write of another product moves `@prod`, never `@cat`: the tree keeps its one-read check.
    const write = versionBumpsOf(keys, [keys.productKey(9)]);
    expect(epochs.filter((key) => write.includes(key)).map((key) => versionTagOf(keys, key))).toEqual(["@prod"]);
    expect(epochKeysOf(keys, tree, 0).some((key) => write.includes(key))).toBe(false);
  });

  it("keeps a copy of every counter per response shard, beside the entries of that shard", () => {
    const sharded = createKeys("t:v1:", { responseShards: 4 });
    const changed = [sharded.productKey(7)];
    const bumps = versionBumpsOf(sharded, changed);
    expect(bumps).toHaveLength(12);
    expect(new Set(bumps.map((key) => sharded.responseShardOf(key)))).toEqual(new Set([0, 1, 2, 3]));
    expect(new Set(bumps.map((key) => versionTagOf(sharded, key)))).toEqual(new Set(tags(versionBumpsOf(keys, [keys.productKey(7)]))));
    // A response's vector lives in its own shard's hash tag: one slot with the entry.
    const entry = sharded.responseKey("abc");
    const shard = sharded.responseShardOf(entry);
    const vector = versionKeysOf(sharded, changed, shard);
    for (const key of [entry, ...vector]) expect(key.startsWith(`t:v1:{resp:${shard}}:`)).toBe(true);
    expect(vector.every((key) => bumps.includes(key))).toBe(true);
  });
});

describe("the response cache's request key and ETag match", () => {
  it("keys the operation, variables and name, and a persisted query by the hash of its text", () => {
    const query = "{ a }";
    const plain = requestKeyOf({ query, variables: { x: 1 } });
    expect(plain).toBe(requestKeyOf({ query, variables: { x: 1 }, operationName: null }));
    expect(plain).not.toBe(requestKeyOf({ query, variables: { x: 2 } }));
    expect(plain).not.toBe(requestKeyOf({ query, variables: { x: 1 } }, "down"));
    const sha256Hash = "9d2c4a5b6ee3ca4d02af14b3e0ba37e5b1a54a2d5c7d0a8a3f0c87f1bd3f5c4e";
    const persisted = { persistedQuery: { version: 1, sha256Hash } };
    expect(requestKeyOf({ extensions: persisted })).toEqual(expect.any(String));
    // A text that does not hash to the persisted hash, or an unknown extension: not keyed.
    expect(requestKeyOf({ query, extensions: persisted })).toBeNull();
    expect(requestKeyOf({ query, extensions: { other: true } })).toBeNull();
    expect(requestKeyOf({ variables: {} })).toBeNull();
  });

  it("compares If-None-Match weakly, as RFC 9110 says", () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", W/"a"', '"a"')).toBe(true);
    expect(etagMatches("*", '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches(undefined, '"a"')).toBe(false);
  });
});
