import type { ApolloServerPlugin } from "@apollo/server";
import { BREAK, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Authenticator } from "./auth";
import type { CacheKeys } from "./cache/keys";
import type { NearEntry, NearSession, NearTier } from "./cache/near-tier";
import type { CacheTrace } from "./cache/read-through";
import type { CacheStats } from "./cache/stats";
import { usableStore } from "./cache/resilient-store";
import { decodeVersioned, type CacheStore } from "./cache/store";
import { epochKeysOf, versionKeysOf, versionTagOf } from "./cache/version-vector";
import type { Context } from "./context";
import { sha256Hex } from "./edge/trusted-documents";
import { cacheTraceHeader } from "./plugins/cache-trace";

/**
 * The whole-response cache: the one home of its eligibility, lookup, save and HTTP cache policy.
 *
 * Why it runs before Apollo: a hot identical query is answered without parsing, validating or
 * executing GraphQL, and without building a context or loaders.
 *
 * Why a hit costs one round trip of fixed size (DESIGN.md promise 10): an entry is stored with a
 * version vector (src/cache/version-vector.ts), the values of at most 64 counters per key family
 * that every write touching a key of that family moves (exactly for small answers, by bucket for
 * large ones). A hit is one script in Redis (`getVersioned`) that compares the vector and returns
 * the body or nothing: it first compares the entry's group epochs (one per family it read: 2 for
 * the tree, 4 for a SKU lookup), and reads the vector itself only when a write has moved one of
 * them since (the tree of 2,481 categories then checks 67 counters, 64 buckets of `cat` and a few
 * exact ones; a SKU lookup about 8), instead of fetching and hashing every entry the answer read. Chosen over the alternatives:
 * - tag sets filled from footprints (write-side invalidation) make every save add the response to
 *   one set per dependency (2,482 SADDs for the tree) and every write read and delete sets, and
 *   a lost write of the set would leave a stale entry; counters only ever move forward;
 * - a Lua script checking every dependency's value keeps the cost growing with the answer (2,482
 *   GETs and hashes in Redis instead of in Node);
 * - coarse per-family versions would retire every product answer on any product write.
 *
 * Why it is never stale (promise 2): a write moves the counters in the same transaction as its DELs
 * and generation INCRs, after them (src/cache/invalidation.ts; the outbox replays the same), so no
 * reader sees the one without the other; and a save reads the counters
 * FIRST, then checks that every entry and generation the execution read still holds the value it
 * observed (CacheTrace.observed), and only then stores the body with the counters it read. A
 * write that changed what the response read either moved its counters after that first read (the
 * entry never validates) or had deleted or moved the values before the check (nothing is stored).
 *
 * Scopes: a request with a valid token is answered from the same entries as an anonymous one (its
 * token is verified before the lookup; an invalid one never reaches the cache). A field marked
 * `@private` in schema.graphql (it depends on who asks: cacheStats) makes its response neither kept
 * nor shared, and `Cache-Control: private, no-store`.
 *
 * Near hits (with the near cache, src/cache/near-tier.ts): a valid entry read from Redis is kept
 * in this process with the values the script read for it (its group epochs, its stamp when that
 * is what validated it, and the counters of its version vector), all under Redis's tracking like
 * any near value, and under one ticket (a write whose message arrives after the read refuses the
 * keep of what it moved). A later lookup, once the near tier's barrier has passed (every write
 * that returned before the request started has then evicted what it changed), runs the script's
 * checks on those near values: equal epochs, or a stamp equal to them, else the full check, every
 * counter of the vector held near at the value stored with the entry. So a price write of product
 * 9, which moves `@prod` (and evicts it), leaves an answer that read only product 7 a near hit:
 * its `=prod:7` did not move. Any key not held near (a write moved a counter of the vector, a save
 * replaced the entry) sends the lookup to Redis. So a hit costs no store command of its own while
 * no write touches what it read (exactly for small answers, by bucket for large ones), and never
 * serves more than the script would.
 *
 * HTTP: every public query answer carries a strong ETag (the body's hash) and `private, no-cache`,
 * so browsers revalidate each reuse and get 304 without the body; kept answers are `public,
 * s-maxage` with `Surrogate-Key`/`Cache-Tag` (the names of their version counters) when a CDN
 * purge target is configured, since a write then purges those tags.
 *
 * What it must never skip: it sits after the HTTP edge checks in src/http-handler.ts, so a cached
 * answer is refused to a caller exactly as an executed one would be.
 */
export interface ResponseCache {
  /**
   * The request's key when it may be answered from the cache: a query by POST or GET (GET only
   * when CSRF-safe, as Apollo requires), plain or persisted, without a cache trace, from nobody or
   * a valid token (verified here). Else null.
   */
  admit(req: IncomingMessage, params: unknown): Promise<string | null>;
  /**
   * The kept answer for `requestKey` if no write has touched what it read, else null. One store
   * round trip. `joined`: the one lookup of the requests that waited for an identical execution
   * (src/miss-collapse.ts), counted by `coalesced`, not as a hit or a miss.
   */
  lookup(requestKey: string, options?: { joined?: boolean }): Promise<CachedAnswer | null>;
  /** Counts a miss not looked up (an identical execution was running: src/miss-collapse.ts `running`); null. */
  missed(): null;
  /** Counts a request answered by the kept answer of an identical execution it waited for (the `joined` lookup is shared: src/miss-collapse.ts). */
  coalesced(): void;
  /**
   * What an executed 200 answer is for HTTP caches, after keeping it when it may be kept (see
   * `plugin`): null when it must not be reused (private, an error, a mutation, not admitted).
   */
  settle(requestKey: string | null, body: string, context: Context | undefined): Promise<CachedAnswer | null>;
  /** The HTTP caching headers of a reusable answer. */
  headers(answer: CachedAnswer): Record<string, string>;
  /** The header of an answer that must not be reused. */
  readonly noStore: Record<string, string>;
  /**
   * Apollo plugin: an answer is public only if it is a query (never a mutation), with no error,
   * selecting no `@private` field; it may be kept only if also every value came from the cache
   * as observed (`cacheTrace.complete`: read from it, or stored by the request's own guarded fill).
   */
  plugin: ApolloServerPlugin<Context>;
  /** The plugin's verdict on an answer, for an answer Apollo did not make (src/execution/fast-path.ts). */
  judge(context: Context, answer: AnswerFacts): void;
}

/** What decides whether an executed answer is public (see `ResponseCache.plugin`). */
export interface AnswerFacts {
  operation: OperationDefinitionNode | undefined;
  document: DocumentNode | undefined;
  schema: GraphQLSchema;
  /** The answer is one result (not incremental) without errors. */
  errorFree: boolean;
}

/** A reusable answer: its body, strong ETag, and (when kept) the tags a CDN purges it by. */
export interface CachedAnswer {
  /** The JSON text; bytes when served from a near copy (encoded once, not at every hit). */
  body: string | Buffer;
  etag: string;
  /** Names of the version counters it was validated against; empty when it was not kept. */
  tags: string[];
  /** The executed operation's estimated cost (a hit spends it again of the rate limits) and name (telemetry); null when unknown. */
  cost: number | null;
  operationName: string | null;
}

export interface ResponseCacheOptions {
  store: CacheStore;
  keys: CacheKeys;
  stats: CacheStats;
  /** TTL of a kept answer, seconds (CACHE_TTL_RESP). */
  ttlSeconds: number;
  /** Verifies a request's bearer token before its lookup. */
  authenticate: Authenticator;
  /** With a purge target, kept answers are `public, s-maxage=maxAgeSeconds` with surrogate keys (CDN_*). */
  cdn: { purgeUrl?: string; maxAgeSeconds: number };
  /** What decides an answer besides the request (the vector side's state for searches); part of every key. Default none. */
  variant?: () => string;
  /** The near cache: valid entries are kept in this process and checked there (see "Near hits"). Default none. */
  near?: NearTier | null;
}

/** Apollo's CSRF prevention: a request with one of these content types (or none) must carry a preflight header. */
const simpleContentTypes = new Set(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]);
const preflightHeaders = ["x-apollo-operation-name", "apollo-require-preflight"];

/**
 * The part of a request that decides its answer: the operation (its text, or the SHA-256 of a
 * persisted query, which names the same text), variables and name. Null when it is neither.
 */
export function requestKeyOf(params: unknown, variant = ""): string | null {
  if (typeof params !== "object" || params === null) return null;
  const { query, variables, operationName, extensions } = params as Record<string, unknown>;
  const operation = operationOf(query, extensions);
  if (operation === null) return null;
  return createHash("sha1")
    .update(operation)
    .update("\0")
    .update(JSON.stringify(variables ?? null))
    .update("\0")
    .update(String(operationName ?? ""))
    .update("\0")
    .update(variant)
    .digest("base64url");
}

/** The GraphQL parameters of a request: the JSON body of a POST, the URL's query string of a GET. */
export function graphqlParamsOf(req: IncomingMessage, body: unknown): unknown {
  if (req.method !== "GET") return body;
  const search = new URL(req.url ?? "/", "http://gateway").searchParams;
  const json = (name: string) => {
    const text = search.get(name);
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return unreadable;
    }
  };
  const params = { query: search.get("query") ?? undefined, variables: json("variables"), operationName: search.get("operationName") ?? undefined, extensions: json("extensions") };
  // Apollo answers a malformed GET with its own error; the cache stays out of it.
  return params.variables === unreadable || params.extensions === unreadable ? null : params;
}

const unreadable = Symbol("unreadable JSON");

/** A response cache over `options.store` (see ResponseCacheOptions). */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { store, keys, stats, ttlSeconds, authenticate, cdn } = options;
  const near = options.near && store.readVersioned ? options.near : null;
  // Near values are read only while the store's circuit is closed (as the read path's).
  const usable = () => usableStore(store);

  /** The kept answer for `entryKey` from its near copy (`near`: no store command sent), else from Redis, kept near when it may be. */
  async function lookupNear(nearTier: NearTier, entryKey: string, stampKey: string): Promise<{ answer: CachedAnswer | null; near: boolean }> {
    const session = nearTier.session(usable);
    const held = await session.lookup([entryKey, stampKey]);
    const copy = held?.[0] ? nearAnswerOf(held[0]) : null;
    if (copy) {
      const epochs = await session.lookup(copy.epochKeys);
      if (epochs && nearCopyHolds(copy, epochs, held![1])) return { answer: copy.answer, near: true };
      // A write moved one of its groups (the epoch is no longer held near): the full check, near.
      const counters = epochs && (await session.lookup(copy.versionKeys));
      if (counters && nearVectorHolds(copy, counters)) return { answer: copy.answer, near: true };
    }
    return { answer: await readAndKeep(session, entryKey, stampKey), near: false };
  }

  async function readAndKeep(session: NearSession, entryKey: string, stampKey: string): Promise<CachedAnswer | null> {
    // Taken before the read: a write whose message comes after it refuses the keep of what it moved.
    const ticket = session.ticket();
    const read = await store.readVersioned!(entryKey, stampKey);
    const parts = read && decodeVersioned(read.raw);
    const answer = parts ? decodeAnswer(parts.value) : null;
    if (!read || !parts || !answer) return null;
    if (parts.epochs.length > 0 && read.epochsNow.length === parts.epochs.length) {
      const keys = [entryKey, ...parts.epochs.map(([key]) => key)];
      const texts = [read.raw, ...read.epochsNow];
      if (read.stamped) {
        keys.push(stampKey);
        texts.push(read.epochsNow.join(" "));
      }
      // Its vector's counters too, under the same ticket: a write whose message comes after the
      // read refuses the keep of the counters it moved, so the near full check never sees them.
      if (read.versionsNow.length === parts.versions.length) {
        for (const [key] of parts.versions) keys.push(key);
        for (const value of read.versionsNow) texts.push(value);
      }
      session.keep(ticket, keys, texts);
    }
    return answer;
  }
  // Keyed by the request's trace: Apollo hands plugins a shallow copy of the context, not the one the handler built.
  const verdicts = new WeakMap<CacheTrace, boolean>();
  const cacheControl = cdn.purgeUrl ? `public, max-age=0, must-revalidate, s-maxage=${cdn.maxAgeSeconds}` : "private, no-cache";

  async function keep(requestKey: string, answer: CachedAnswer, trace: CacheTrace): Promise<boolean> {
    if (!trace.complete || [...trace.dependencies].some((key) => !trace.observed.has(key))) return false;
    const read = [...trace.observed.keys()];
    const entryKey = keys.responseKey(requestKey);
    // The counters of the entry's own shard: they share its hash tag (one slot for the lookup's script).
    const shard = keys.responseShardOf(entryKey);
    const versionKeys = versionKeysOf(keys, read, shard);
    // Read in the same MGET as the counters (one instant: one slot), so they describe that vector.
    const epochKeys = epochKeysOf(keys, read, shard);
    try {
      // The counters first, then the values, in one round trip that keeps that order: see the
      // class comment (the order is the guard). With the store, the save costs two round trips.
      const [counted, current] = await store.mgetInOrder([[...versionKeys, ...epochKeys], read]);
      const counters = counted.slice(0, versionKeys.length);
      const epochs = counted.slice(versionKeys.length);
      const unchanged = read.every((key, i) => (current[i] ?? (keys.familyOf(key) === "gen" ? "0" : null)) === trace.observed.get(key));
      if (!unchanged) {
        stats.record("resp", "stale"); // a write landed during the execution: not kept
        return false;
      }
      const tags = cdn.purgeUrl ? versionKeys.map((key) => versionTagOf(keys, key)) : [];
      await store.setVersioned({
        key: entryKey,
        value: `${answer.etag}\n${tags.join(" ")}\n${metaLineOf(answer)}\n${answer.body}`,
        ttlSeconds,
        versions: versionKeys.map((key, i) => [key, counters[i] ?? "0"]),
        epochs: epochKeys.map((key, i) => [key, epochs[i] ?? "0"]),
        stampKey: keys.responseStampKey(entryKey),
      });
      answer.tags = tags;
      return true;
    } catch {
      stats.record("resp", "error");
      return false;
    }
  }

  function judge(context: Context, { operation, document, schema, errorFree }: AnswerFacts): void {
    const isPublic = operation?.operation === "query" && errorFree && document !== undefined && !selectsPrivateField(schema, document);
    verdicts.set(context.cacheTrace, isPublic);
    if (!isPublic) context.cacheTrace.complete = false;
  }

  return {
    async admit(req, params) {
      if (req.headers[cacheTraceHeader] || !csrfSafe(req) || startsWithMutation(params)) return null;
      const requestKey = requestKeyOf(params, options.variant?.());
      if (requestKey === null) return null;
      const authorization = req.headers.authorization;
      if (authorization && (await authenticate(authorization)).kind !== "viewer") return null;
      return requestKey;
    },

    async lookup(requestKey, { joined = false } = {}) {
      try {
        const entryKey = keys.responseKey(requestKey);
        const stampKey = keys.responseStampKey(entryKey);
        let answer: CachedAnswer | null;
        if (near) {
          const found = await lookupNear(near, entryKey, stampKey);
          answer = found.answer;
          if (found.near) stats.record("resp", "nearHit");
        } else {
          const raw = await store.getVersioned(entryKey, stampKey);
          answer = raw === null ? null : decodeAnswer(raw);
        }
        // A lookup for the requests that waited for an identical one's execution: each of them is
        // counted "coalesced" when it was found kept (`coalesced`).
        if (!joined) stats.record("resp", answer ? "hit" : "miss");
        return answer;
      } catch {
        stats.record("resp", "error");
        return null;
      }
    },

    missed() {
      stats.record("resp", "miss");
      return null;
    },

    coalesced() {
      stats.record("resp", "coalesced");
    },

    async settle(requestKey, body, context) {
      if (requestKey === null || !context || !verdicts.get(context.cacheTrace)) return null;
      const { cost, operationName } = context.record;
      const answer: CachedAnswer = { body, etag: etagOf(body), tags: [], cost, operationName };
      await keep(requestKey, answer, context.cacheTrace);
      return answer;
    },

    headers(answer): Record<string, string> {
      if (!answer.tags.length) return { etag: answer.etag, "cache-control": "private, no-cache" };
      return { etag: answer.etag, "cache-control": cacheControl, "surrogate-key": answer.tags.join(" "), "cache-tag": answer.tags.join(",") };
    },

    noStore: { "cache-control": "private, no-store" },

    judge,

    plugin: {
      async requestDidStart() {
        return {
          async willSendResponse({ operation, response, contextValue, document, schema }) {
            const errorFree = response.body.kind === "single" && !response.body.singleResult.errors?.length;
            judge(contextValue, { operation, document, schema, errorFree });
          },
        };
      },
    },
  };
}

/** Whether `header` (If-None-Match) names `etag` (weak comparison, as RFC 9110 asks for it). */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  return String(header)
    .split(",")
    .some((tag) => {
      const trimmed = tag.trim();
      return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
    });
}

function etagOf(body: string): string {
  return `"${createHash("sha1").update(body).digest("base64url")}"`;
}

/** A near copy of a kept entry, decoded once while it is held (NearEntry.memo). */
interface NearCopy {
  answer: CachedAnswer;
  /** Its group epochs' keys, and their values when its vector was read. */
  epochKeys: string[];
  epochValues: string[];
  /** Its version vector: the counters' keys, and the values it is valid at. */
  versionKeys: string[];
  versionValues: string[];
}

function nearAnswerOf(entry: NearEntry): NearCopy | null {
  if (entry.memo !== undefined) return entry.memo as NearCopy | null;
  const parts = entry.text === null ? null : decodeVersioned(entry.text);
  const answer = parts ? decodeAnswer(parts.value) : null;
  const copy: NearCopy | null =
    parts && answer && parts.epochs.length > 0
      ? {
          answer: { ...answer, body: Buffer.from(answer.body) },
          epochKeys: parts.epochs.map(([key]) => key),
          epochValues: parts.epochs.map(([, value]) => value),
          versionKeys: parts.versions.map(([key]) => key),
          versionValues: parts.versions.map(([, value]) => value),
        }
      : null;
  entry.memo = copy;
  return copy;
}

// The getVersioned script's first two checks, on near values: the epochs as stored, or the stamp
// of a full check at the epochs now. A value not held near proves nothing: the store decides.
function nearCopyHolds(copy: NearCopy, epochs: readonly (NearEntry | undefined)[], stamp: NearEntry | undefined): boolean {
  let same = true;
  for (let i = 0; i < epochs.length; i += 1) {
    const epoch = epochs[i];
    if (epoch === undefined) return false;
    if ((epoch.text ?? "0") !== copy.epochValues[i]) same = false;
  }
  if (same) return true;
  // Joined only when a stamp is held to compare it with (a hit on equal epochs allocates nothing).
  return stamp?.text != null && stamp.text === epochs.map((epoch) => epoch!.text ?? "0").join(" ");
}

// The script's third check (the full one), on near values: every counter of the vector held near
// at the value stored with the entry. Held near means what Redis holds once the barrier passed
// (a write that moved it evicted it), so this serves no more than the script would; it does not
// stamp, so the next near lookup checks the vector again (at most 64 counters a group).
function nearVectorHolds(copy: NearCopy, counters: readonly (NearEntry | undefined)[]): boolean {
  for (let i = 0; i < counters.length; i += 1) {
    const counter = counters[i];
    if (counter === undefined || (counter.text ?? "0") !== copy.versionValues[i]) return false;
  }
  return true;
}

function decodeAnswer(raw: string): CachedAnswer | null {
  const first = raw.indexOf("\n");
  const second = raw.indexOf("\n", first + 1);
  if (first < 0 || second < 0) return null;
  const tags = raw.slice(first + 1, second);
  // The meta line (cost and operation name) is absent from entries kept before it existed: a body starts with "{".
  const third = raw[second + 1] === "{" ? second : raw.indexOf("\n", second + 1);
  if (third < 0) return null;
  const [cost, operationName] = raw.slice(second + 1, third).split(" ");
  return {
    etag: raw.slice(0, first),
    tags: tags ? tags.split(" ") : [],
    body: raw.slice(third + 1),
    cost: cost ? Number(cost) : null,
    operationName: operationName || null,
  };
}

/** `<cost> <operation name>`, either empty when unknown (a GraphQL name has no space or newline). */
function metaLineOf(answer: CachedAnswer): string {
  return `${answer.cost ?? ""} ${answer.operationName ?? ""}`;
}

// A persisted query names its text by SHA-256: the hash stands for the text, once checked against
// a text sent with it. Any other extension is not understood here, so the request is executed.
function operationOf(query: unknown, extensions: unknown): string | null {
  if (extensions === undefined || extensions === null) return typeof query === "string" ? sha256Hex(query) : null;
  const persisted = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } }).persistedQuery;
  if (Object.keys(extensions).length !== 1 || persisted?.version !== 1 || typeof persisted.sha256Hash !== "string") return null;
  if (query !== undefined && (typeof query !== "string" || sha256Hex(query) !== persisted.sha256Hash)) return null;
  return persisted.sha256Hash;
}

// A mutation is never kept, so its lookup is a wasted round trip; a document that merely holds
// one (several operations, a leading comment) is still looked up, and simply misses.
function startsWithMutation(params: unknown): boolean {
  const query = (params as { query?: unknown } | null)?.query;
  return typeof query === "string" && /^\s*mutation\b/.test(query);
}

// As Apollo's csrfPrevention: a content type other than the simple ones, or a preflight header.
function csrfSafe(req: IncomingMessage): boolean {
  const type = req.headers["content-type"];
  if (type && !simpleContentTypes.has(type.split(";", 1)[0].trim().toLowerCase())) return true;
  return preflightHeaders.some((name) => Boolean(req.headers[name]));
}

// Per parsed document (Apollo caches them, so the walk runs once per distinct operation).
const privateSelections = new WeakMap<DocumentNode, boolean>();

/** Whether `document` selects a field that schema.graphql marks `@private`. */
export function selectsPrivateField(schema: GraphQLSchema, document: DocumentNode): boolean {
  const known = privateSelections.get(document);
  if (known !== undefined) return known;
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        if (!typeInfo.getFieldDef()?.astNode?.directives?.some((directive) => directive.name.value === "private")) return undefined;
        found = true;
        return BREAK;
      },
    }),
  );
  privateSelections.set(document, found);
  return found;
}
