import type { ApolloServerPlugin } from "@apollo/server";
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { CacheKeys } from "./cache/keys";
import type { CacheTrace } from "./cache/read-through";
import type { CacheStats } from "./cache/stats";
import type { CacheStore } from "./cache/store";
import type { Context } from "./context";
import { cacheTraceHeader } from "./plugins/cache-trace";

/**
 * The whole-response cache: the one home of its eligibility, lookup and save.
 *
 * Why it runs before Apollo: a hot identical query is answered without parsing, validating or
 * executing GraphQL, and without building a context or loaders; a hit costs two store round trips
 * and a hash per dependency (what it saves is the whole per-request GraphQL pipeline).
 *
 * Why it is never stale: an entry holds the response body and what it was computed from, the raw
 * value of every cache entry and generation counter the execution read (CacheTrace.observed), all
 * of them hits. It is served only while each of those still holds that value: a write deletes the
 * entries it changes and moves the generations of the lists it touches, so any write that could
 * change the response makes the check fail, and the query is executed again. It needs no
 * invalidation of its own.
 *
 * What it must never skip: it sits after the HTTP edge checks (body limits, and the operation
 * limits and rate limits of the edge) in src/http-handler.ts, so a cached answer is refused to a
 * caller exactly as an executed one would be. Nothing may be answered from here before them.
 */
export interface ResponseCache {
  /**
   * The request's key when it may be answered whole (an anonymous plain JSON query that did not
   * ask for its cache trace), else null.
   */
  eligible(req: IncomingMessage, body: unknown): string | null;
  /** The stored body for `requestKey` if every value it was computed from is unchanged, else null. Two store round trips. */
  lookup(requestKey: string): Promise<string | null>;
  /** Stores an executed body when `keepable` (see `plugin`); anything else is ignored. */
  save(requestKey: string, body: string, trace: CacheTrace): Promise<void>;
  /**
   * Apollo plugin: a response may be kept only if it is a query (never a mutation), with no
   * error, whose every value came from the cache as observed. Anything else clears
   * `cacheTrace.complete`, which `save` checks (resolvers that answer from elsewhere, such as
   * cacheStats and search, clear it themselves).
   */
  plugin: ApolloServerPlugin<Context>;
}

interface Entry {
  /** The response body. */
  b: string;
  /** [key, fingerprint]: a generation's value, or a hash of an entry's raw value. */
  d: [string, string][];
}

/** The part of a request that decides its answer: operation text, variables and name. Null when it is not a plain JSON query. */
export function requestKeyOf(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const { query, variables, operationName, extensions } = body as Record<string, unknown>;
  if (typeof query !== "string" || extensions !== undefined) return null;
  return createHash("sha1")
    .update(query)
    .update("\0")
    .update(JSON.stringify(variables ?? null))
    .update("\0")
    .update(String(operationName ?? ""))
    .digest("base64url");
}

function fingerprint(keys: CacheKeys, key: string, raw: string): string {
  return keys.familyOf(key) === "gen" ? raw : createHash("sha1").update(raw).digest("base64url").slice(0, 22);
}

/** A response cache over `store`; entries live `ttlSeconds` (the `resp` family's TTL). */
export function createResponseCache(store: CacheStore, keys: CacheKeys, stats: CacheStats, ttlSeconds: number): ResponseCache {
  return {
    eligible(req, body) {
      if (req.method !== "POST" || req.headers.authorization || req.headers[cacheTraceHeader]) return null;
      return requestKeyOf(body);
    },

    async lookup(requestKey) {
      try {
        const [raw] = await store.mget([keys.responseKey(requestKey)]);
        if (raw === null) {
          stats.record("resp", "miss");
          return null;
        }
        const entry = JSON.parse(raw) as Entry;
        const current = entry.d.length ? await store.mget(entry.d.map(([key]) => key)) : [];
        const unchanged = entry.d.every(([key, print], i) => {
          // A generation counter that does not exist yet reads as 0, as the read path takes it.
          const value = current[i] ?? (keys.familyOf(key) === "gen" ? "0" : null);
          return value !== null && fingerprint(keys, key, value) === print;
        });
        stats.record("resp", unchanged ? "hit" : "stale");
        return unchanged ? entry.b : null;
      } catch {
        stats.record("resp", "error");
        return null;
      }
    },

    async save(requestKey, body, trace) {
      if (!trace.complete) return;
      const entry: Entry = { b: body, d: [...trace.observed].map(([key, raw]) => [key, fingerprint(keys, key, raw)]) };
      // A plain write is safe: an entry is only ever served after the check above, so one saved
      // from values a write has since replaced is simply never served.
      await store.set([{ key: keys.responseKey(requestKey), value: JSON.stringify(entry), ttlSeconds }]).catch(() => {
        stats.record("resp", "error");
      });
    },

    plugin: {
      async requestDidStart() {
        return {
          async willSendResponse({ operation, response, contextValue }) {
            const keepable =
              operation?.operation === "query" && response.body.kind === "single" && !response.body.singleResult.errors?.length;
            if (!keepable) contextValue.cacheTrace.complete = false;
          },
        };
      },
    },
  };
}
