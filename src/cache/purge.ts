/**
 * The CDN purge hook (issue #11 item 4): POSTs the surrogate keys a write retires (tags.ts) to a
 * purge endpoint, so an HTTP cache in front of the gateway forgets what the Redis cache forgot.
 * The outbox (outbox.ts) drives it, so a purge is as durable as an invalidation: one that fails
 * stays pending and is retried.
 *
 * The body is `{"surrogate_keys": [...], "tags": [...]}` (the same list under Fastly's and
 * Cloudflare's field names); a purge of many keys is sent in batches of `batchSize`. Any answer
 * other than 2xx, a network error or a timeout fails the purge.
 */

/** Where and how purges are sent (CDN_PURGE_* settings). */
export interface PurgeConfig {
  /** The purge endpoint (CDN_PURGE_URL). */
  url: string;
  /** Header that carries the token (CDN_PURGE_TOKEN_HEADER). Default "authorization". */
  tokenHeader: string;
  /** Sent verbatim as the header's value, e.g. "Bearer abc" (CDN_PURGE_TOKEN); unset: no header. */
  token?: string;
  /** A purge request not answered after this long fails (CDN_PURGE_TIMEOUT_MS), ms. Default 2000. */
  timeoutMs: number;
  /** Most tags per request (Fastly takes 256 per batch purge). Default 256. */
  batchSize: number;
}

/** Default header, timeout and batch size of `PurgeConfig`. */
export const defaultPurgeConfig = { tokenHeader: "authorization", timeoutMs: 2000, batchSize: 256 } as const;

export interface Purger {
  /** Purges `tags`; throws if any batch was not accepted. */
  purge(tags: readonly string[]): Promise<void>;
}

/** A purger POSTing to `config.url`. */
export function createPurger(config: PurgeConfig): Purger {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (config.token) headers[config.tokenHeader] = config.token;
  return {
    async purge(tags) {
      for (let start = 0; start < tags.length; start += config.batchSize) {
        const batch = tags.slice(start, start + config.batchSize);
        const response = await fetch(config.url, {
          method: "POST",
          headers,
          body: JSON.stringify({ surrogate_keys: batch, tags: batch }),
          signal: AbortSignal.timeout(config.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) throw new Error(`CDN purge of ${batch.length} tags was refused by ${config.url}: HTTP ${response.status}`);
      }
    },
  };
}
