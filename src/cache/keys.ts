import { createHash } from "node:crypto";

/**
 * The cache's key schema (DESIGN.md, "The cache"): the only place where cache keys are spelled.
 * Every builder applies the prefix, so a deploy that changes what is stored bumps the version in
 * the prefix and never reads entries of the old shape.
 *
 * Redis Cluster: every key is `<prefix>{<family key>}`, the braces a hash tag, so a key and what
 * the store keeps beside it (its lease, `<key>#lease`) hash to one slot, and each multi-key script
 * touches one slot. Whole-response entries and their version counters share a response shard's tag,
 * `{resp:<shard>}` (see `responseShards`).
 */

/** The prefix of every key; it carries the schema version. Default "cg:v1:". */
export const defaultKeyPrefix = "cg:v1:";

/** The key families of DESIGN.md's table, used for TTL policy and per-family stats. */
export type Family =
  | "cat"
  | "cat:slug"
  | "cat:tree"
  | "cat:children"
  | "attrs:cat"
  | "prod"
  | "prod:sku"
  | "prods:cat"
  | "search"
  | "stats"
  | "resp";

/** Every family, in table order. */
export const families: readonly Family[] = [
  "cat",
  "cat:slug",
  "cat:tree",
  "cat:children",
  "attrs:cat",
  "prod",
  "prod:sku",
  "prods:cat",
  "search",
  "stats",
  "resp",
];

/**
 * A product field a cached answer reads beside membership (DESIGN.md, "Precise invalidation"): a
 * family's bare generation (`gen:prods:cat:7`, `gen:search`, `gen:stats`) retires everything of it
 * (membership: products created, deleted or moved); `gen:<family>[:<id>]:<aspect>` retires only
 * the entries whose order, filter or value read that field. `priceBand` is the price facet's range.
 */
export type Aspect = "price" | "priceBand" | "name" | "stock" | "brand" | "attrs" | "popularity";

/** Every aspect. */
export const aspects: readonly Aspect[] = ["price", "priceBand", "name", "stock", "brand", "attrs", "popularity"];

/** What `familyOf` reports: a family, "gen" for a generation counter, null for a foreign key. */
export type KeyKind = Family | "gen";

/** An entity id: the database's integer ids, as a number or a string of digits (GraphQL's ID). */
export type Id = number | string;

export interface CacheKeys {
  readonly prefix: string;
  /** `cat:<id>`: one category row. */
  categoryKey(id: Id): string;
  /** `cat:slug:<slug>`: the category id for a slug (percent-encoded). */
  categorySlugKey(slug: string): string;
  /** `cat:tree`: the whole tree as id/parent pairs. */
  categoryTreeKey(): string;
  /** `cat:<id>:children`: child ids. */
  categoryChildrenKey(id: Id): string;
  /** `attrs:cat:<id>`: the attribute definitions that apply to a category (own and inherited). */
  categoryAttributesKey(id: Id): string;
  /** `prod:<id>`: one product row. */
  productKey(id: Id): string;
  /** `prod:sku:<sku>`: the product id for a SKU; the SKU is percent-encoded. */
  productSkuKey(sku: string): string;
  /**
   * `prods:cat:<id>:<argsHash>` (`all` for null, the whole catalog): one page of product ids. The
   * generations it depends on are stamped inside the value (src/cache/read-through.ts), so one INCR
   * of `generationKey("prods:cat", id)` retires every page of the listing without renaming a key.
   */
  productListKey(categoryId: Id | null, argsHash: string): string;
  /** `search:<hash>`: one ranked result page (stamped with `gen:search` inside the value). */
  searchKey(hash: string): string;
  /**
   * `{resp:<shard>}:<hash>`: a whole response of a query, with the version counters it was
   * validated against. The shard is the hash's (FNV-1a mod `responseShards`); the `{resp:<shard>}`
   * hash tag puts the entry in one Redis Cluster slot with its shard's copy of those counters, so the
   * one script that validates a hit touches a single slot.
   */
  responseKey(hash: string): string;
  /**
   * `{resp:<shard>}:<hash>:s`: the stamp of a kept response, the values of its group epochs when its
   * vector was last found valid (src/cache/version-vector.ts); same slot and TTL as the entry.
   */
  responseStampKey(responseKey: string): string;
  /** The response shard of a key built by `responseKey` (0 when there is one shard). */
  responseShardOf(responseKey: string): number;
  /** `{resp:<shard>}:v:<name>`: a version counter of the whole-response cache in one shard (src/cache/version-vector.ts); no TTL. */
  responseVersionKey(name: string, shard: number): string;
  /** How many response shards there are; every write moves its version counters in each. */
  readonly responseShards: number;
  /** `stats:<type>`: one statistic (stamped with `gen:stats` inside the value). */
  statsKey(type: string): string;
  /** `apq:<sha256>`: a persisted document's text (automatic persisted queries, shared by every instance). */
  persistedDocumentKey(sha256Hash: string): string;
  /** `rl:<budget>`: the prefix of a rate-limit budget's counters (rate-limiter-flexible appends `:<caller>`). */
  rateLimitPrefix(budget: string): string;
  /**
   * `gen:<family>` or `gen:<family>:<id>` (`all` for null), then `:<aspect>` if given: a generation
   * counter, e.g. `gen:prods:cat:7`, `gen:prods:cat:7:price`, `gen:search`, `gen:stats:brand`.
   * Counters carry no TTL.
   */
  generationKey(family: Family, scope?: Id | null, aspect?: Aspect): string;
  /**
   * `{lsn}:<bucket>` or `{lsn}:base`: a replica mark (src/cache/replica-marks.ts), the commit
   * position a read replica must have replayed. One hash tag: a cluster keeps them in one slot.
   */
  replicaMarkKey(bucket: number | "base"): string;
  /** The family of a full key built here, "gen" for a counter, null if it is not one of ours. */
  familyOf(key: string): KeyKind | null;
  /** A full key without its prefix and hash-tag braces, as DESIGN.md's table spells it: `prod:7`, `gen:search`, `resp:3:<hash>`. */
  unwrap(key: string): string;
  /**
   * The prefixes every key the loaders' read path reads starts with (entries of every family but
   * `resp`, and generation counters), none a prefix of another: what the near cache asks Redis to
   * report writes under (CLIENT TRACKING BCAST PREFIX, src/cache/near-tier.ts).
   */
  readPathPrefixes(): string[];
  /** The prefix of every whole-response key (entries, stamps, version counters, all shards): `<prefix>{resp:`. */
  responsePrefix(): string;
}

/** Options of `createKeys`. */
export interface KeyOptions {
  /**
   * Response shards (CACHE_RESPONSE_SHARDS): the whole-response cache's entries are spread over
   * this many hash tags, each with its own copy of the version counters. Default 1. Every instance
   * of a deployment must use the same count (a write moves the counters of the shards it knows).
   */
  responseShards?: number;
}

/** Response shards when nothing else is configured: one (a single Redis gains nothing from more). */
export const defaultResponseShards = 1;

/** Key builders under `prefix` (default `defaultKeyPrefix`). */
export function createKeys(prefix: string = defaultKeyPrefix, options: KeyOptions = {}): CacheKeys {
  if (/[{}]/.test(prefix)) throw new TypeError(`A cache key prefix must not contain "{" or "}" (they would make it the hash tag), got ${JSON.stringify(prefix)}`);
  const responseShards = options.responseShards ?? defaultResponseShards;
  if (!Number.isSafeInteger(responseShards) || responseShards < 1) throw new TypeError(`responseShards must be a positive integer, got ${responseShards}`);
  // The whole key after the prefix is the hash tag: one entity, one slot.
  const k = (rest: string) => `${prefix}{${rest}}`;
  const responseTag = (shard: number) => `${prefix}{resp:${shard}}:`;
  const responseShardOf = (key: string) => {
    const match = /^\{resp:(\d+)\}:/.exec(key.slice(prefix.length));
    if (!key.startsWith(prefix) || !match) throw new TypeError(`Not a response key: ${key}`);
    return Number(match[1]);
  };
  return {
    prefix,
    responseShards,
    categoryKey: (id) => k(`cat:${idSegment(id)}`),
    categorySlugKey: (slug) => k(`cat:slug:${encodeSegment(slug)}`),
    categoryTreeKey: () => k("cat:tree"),
    categoryChildrenKey: (id) => k(`cat:${idSegment(id)}:children`),
    categoryAttributesKey: (id) => k(`attrs:cat:${idSegment(id)}`),
    productKey: (id) => k(`prod:${idSegment(id)}`),
    productSkuKey: (sku) => k(`prod:sku:${encodeSegment(sku)}`),
    productListKey: (categoryId, argsHash) =>
      k(`prods:cat:${categoryId === null ? "all" : idSegment(categoryId)}:${encodeSegment(argsHash)}`),
    searchKey: (hash) => k(`search:${encodeSegment(hash)}`),
    responseKey: (hash) => `${responseTag(fnv1a(hash) % responseShards)}${encodeSegment(hash)}`,
    responseStampKey: (responseKey) => `${responseKey}:s`,
    responseShardOf,
    responseVersionKey: (name, shard) => `${responseTag(shard)}v:${name}`,
    statsKey: (type) => k(`stats:${encodeSegment(type)}`),
    persistedDocumentKey: (sha256Hash) => k(`apq:${encodeSegment(sha256Hash)}`),
    rateLimitPrefix: (budget) => k(`rl:${encodeSegment(budget)}`),
    generationKey: (family, scope, aspect) =>
      k(`gen:${family}${scope === undefined ? "" : `:${scope === null ? "all" : idSegment(scope)}`}${aspect ? `:${aspectSegment(aspect)}` : ""}`),
    // All marks under one hash tag: a fill reads its marks, and a write raises them, in one script.
    replicaMarkKey: (bucket) => `${prefix}{lsn}:${bucket === "base" ? "base" : idSegment(bucket)}`,
    familyOf: (key) => (key.startsWith(prefix) ? kindOf(key.slice(prefix.length)) : null),
    unwrap: (key) => (key.startsWith(prefix) ? unwrapTag(key.slice(prefix.length)) : key),
    // `prod:` and `prods:` do not overlap; `cat:` holds `cat:slug:`, `cat:tree` and children lists.
    responsePrefix: () => `${prefix}{resp:`,
    readPathPrefixes: () => ["cat:", "attrs:", "prod:", "prods:", "search:", "stats:", "gen:"].map((family) => `${prefix}{${family}`),
  };
}

// Ids are the database's integers; a canonical decimal form means "7", "007" and 7 share one key,
// and no id can spell a reserved word such as `cat:tree` or `prods:cat:all`.
function idSegment(id: Id): string {
  const n = typeof id === "number" ? id : /^-?\d{1,16}$/.test(id) ? Number(id) : NaN;
  if (!Number.isSafeInteger(n)) throw new TypeError(`A cache key id must be an integer, got ${JSON.stringify(id)}`);
  return String(n);
}

function aspectSegment(aspect: Aspect): Aspect {
  if (!aspects.includes(aspect)) throw new TypeError(`A generation aspect must be one of ${aspects.join(", ")}, got ${JSON.stringify(aspect)}`);
  return aspect;
}

/**
 * Free text (a SKU, a stat type) as a key segment that cannot contain ":" or "#", so it cannot
 * end one segment early or spell a store-internal suffix. encodeURIComponent throws on a lone
 * surrogate; those code units become "%uXXXX", which encodeURIComponent never produces.
 */
function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(/[\s\S]/g, (ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        return `%u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
      }
    });
  }
}

// `{prod:7}` -> `prod:7`, `{resp:3}:v:=prod:7` -> `resp:3:v:=prod:7`.
function unwrapTag(rest: string): string {
  if (!rest.startsWith("{")) return rest;
  const close = rest.indexOf("}");
  return close < 0 ? rest : rest.slice(1, close) + rest.slice(close + 1);
}

function kindOf(tagged: string): KeyKind | null {
  if (/^\{resp:\d+\}:v:/.test(tagged)) return "gen";
  if (/^\{resp:\d+\}:/.test(tagged)) return "resp";
  if (!tagged.startsWith("{") || !tagged.endsWith("}")) return null;
  const rest = tagged.slice(1, -1);
  if (rest === "cat:tree") return "cat:tree";
  if (/^cat:slug:[^:]*$/.test(rest)) return "cat:slug";
  if (/^cat:[^:]+:children$/.test(rest)) return "cat:children";
  if (/^cat:[^:]+$/.test(rest)) return "cat";
  if (/^attrs:cat:[^:]+$/.test(rest)) return "attrs:cat";
  if (/^prod:sku:[^:]*$/.test(rest)) return "prod:sku";
  if (/^prod:[^:]+$/.test(rest)) return "prod";
  if (rest.startsWith("prods:cat:")) return "prods:cat";
  if (rest.startsWith("search:")) return "search";
  if (rest.startsWith("stats:")) return "stats";
  if (rest.startsWith("gen:")) return "gen";
  return null;
}

/** 32-bit FNV-1a: a cheap, stable spread of text over shards and buckets (not a security boundary). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Length of `hashArgs` output: 16 base64url characters, 96 bits of SHA-1. */
export const argsHashLength = 16;

/**
 * A short stable hash of plain JSON data (args, filters, a normalized query): object keys are
 * sorted at every depth, so `{a, b}` and `{b, a}` hash alike; undefined properties are dropped,
 * as JSON.stringify does. Throws on a bigint, which JSON cannot carry.
 */
export function hashArgs(value: unknown): string {
  return createHash("sha1").update(stableStringify(value)).digest("base64url").slice(0, argsHashLength);
}

function stableStringify(value: unknown): string {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return stableStringify((value as { toJSON(): unknown }).toJSON());
  }
  if (typeof value === "bigint") throw new TypeError(`hashArgs cannot hash a bigint, got ${value}n`);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : stableStringify(v))).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
