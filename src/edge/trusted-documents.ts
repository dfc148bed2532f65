import type { KeyValueCache } from "@apollo/utils.keyvaluecache";
import { InMemoryLRUCache, PrefixingKeyValueCache } from "@apollo/utils.keyvaluecache";
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { existsSync, readFileSync } from "node:fs";
import { Kind, parse } from "graphql";
import type { CacheStore } from "../cache/store";
import { ErrorCode } from "../errors";

/**
 * Trusted documents: the operations the project's clients send, known ahead.
 *
 * - The manifest: codegen's client preset writes `persisted-documents.json` (`"sha256:<hex>"` ->
 *   document) for the operations under examples/operations (codegen.yml); it is loaded at start.
 * - Automatic persisted queries (APQ): Apollo Server's `persistedQueries`, over a KeyValueCache on
 *   the cache store (Redis, shared by every instance; in-process without one), where the manifest
 *   answers first. A client sends the hash alone, and the whole text once when it is not known.
 * - The client preset's `{"documentId": "sha256:<hex>"}` form is rewritten at the edge to the text
 *   (from the manifest) or to the APQ form, so both forms work.
 *
 * TRUSTED_DOCUMENTS=require: an anonymous caller (or one with a bad token, or without an editor
 * role) may run only a trusted document, one in the manifest or registered by an editor; an editor
 * may send any operation, and an editor's APQ registration makes a document trusted. In that mode
 * registrations are kept under their own keys (`apq:editor:<hash>`), so a document some anonymous
 * caller registered earlier in `allow` mode is not trusted.
 */

/** off: no persisted documents (hashes refused); allow: hashes and any text from anyone; require: see above. */
export type TrustedDocumentsMode = "off" | "allow" | "require";

export interface TrustedDocumentsOptions {
  /** Default allow. */
  mode: TrustedDocumentsMode;
  /** Manifest files (JSON, `"sha256:<hex>"` or `<hex>` -> document). A missing file fails the start unless `optional`. */
  manifestPaths: string[];
  /** The default manifest (codegen's output) may be absent before `npm run generate`; the start then logs and goes on. */
  optional?: boolean;
  /** How long an APQ registration is kept, seconds. Default 86400. */
  ttlSeconds: number;
}

/** What the edge makes of a request body: the body to serve (possibly rewritten), or a refusal. */
export type Prepared = { body: unknown } | { refusal: { status: number; code: string; message: string } };

export interface TrustedDocuments {
  readonly mode: TrustedDocumentsMode;
  /** sha256 hex -> document, from the manifests. */
  readonly manifest: ReadonlyMap<string, string>;
  /** Names of the manifest's operations (the bounded set of telemetry labels). */
  readonly operationNames: ReadonlySet<string>;
  /** Apollo Server's `persistedQueries` option. */
  readonly persistedQueries: false | { cache: KeyValueCache<string>; ttl: number };
  /**
   * At the edge, before the whole-response cache: `documentId` and a manifest hash become the
   * document's text (so a hashed request can be answered from the cache), and in `require` mode an
   * untrusted text from a caller `isEditor` denies is refused.
   */
  prepare(body: unknown, isEditor: () => Promise<boolean>): Promise<Prepared>;
  /** Whether the document of this sha256 hex is trusted: in the manifest or registered (by an editor, in require mode). */
  isTrusted(sha256Hex: string): Promise<boolean>;
}

/** Manifests and the APQ cache over `store` (null: in-process); `keyOf` names a stored document (CacheKeys.persistedDocumentKey). */
export function createTrustedDocuments(
  options: TrustedDocumentsOptions,
  store: CacheStore | null,
  keyOf: (hash: string) => string,
  log: (message: string) => void = () => undefined,
): TrustedDocuments {
  const manifest = loadManifests(options, log);
  const operationNames = new Set([...manifest.values()].flatMap(operationNamesOf));
  const registered = registrations(store, (hash) => keyOf(options.mode === "require" ? `editor:${hash}` : hash), options.ttlSeconds);
  const cache: KeyValueCache<string> = {
    get: async (hash) => manifest.get(hash) ?? (await registered.get(hash)),
    set: (hash, query, setOptions) => registered.set(hash, query, setOptions),
    delete: (hash) => registered.delete(hash),
  };
  const isTrusted = async (hash: string) => manifest.has(hash) || (await registered.get(hash)) !== undefined;

  return {
    mode: options.mode,
    manifest,
    operationNames,
    // Keys are named by `keyOf` (under the cache prefix); Apollo's own "apq:" prefix would double it.
    persistedQueries: options.mode === "off" ? false : { cache: PrefixingKeyValueCache.cacheDangerouslyDoesNotNeedPrefixesForIsolation(cache), ttl: options.ttlSeconds },
    isTrusted,

    async prepare(body, isEditor) {
      if (typeof body !== "object" || body === null || Array.isArray(body)) return { body };
      let request = body as Record<string, unknown>;
      if (request.documentId !== undefined) {
        if (options.mode === "off") return refuse(400, "PERSISTED_QUERY_NOT_SUPPORTED", "Persisted documents are off (TRUSTED_DOCUMENTS=off): send the query text");
        if (typeof request.documentId !== "string" || request.query !== undefined) {
          return refuse(400, "BAD_REQUEST", "`documentId` must be a string (\"sha256:<hex>\"), sent without `query`");
        }
        const { documentId, ...rest } = request;
        request = { ...rest, extensions: { ...asObject(rest.extensions), persistedQuery: { version: 1, sha256Hash: documentId.replace(/^sha256:/, "") } } };
      }
      const extensions = asObject(request.extensions);
      const persisted = asObject(extensions.persistedQuery);
      if (request.query === undefined && typeof persisted.sha256Hash === "string" && manifest.has(persisted.sha256Hash)) {
        // Text from the manifest, without the extension: the same request as the text itself (and cacheable like it).
        const { persistedQuery: _persisted, ...otherExtensions } = extensions;
        const { extensions: _extensions, ...rest } = request;
        request = { ...rest, query: manifest.get(persisted.sha256Hash), ...(Object.keys(otherExtensions).length ? { extensions: otherExtensions } : {}) };
        return { body: request };
      }
      if (options.mode === "require") {
        // A hash alone is checked too: the whole-response cache may hold an answer an editor's text left under it.
        const hash = typeof request.query === "string" ? sha256Hex(request.query) : typeof persisted.sha256Hash === "string" ? persisted.sha256Hash : null;
        if (hash !== null && !(await isTrusted(hash)) && !(await isEditor())) return refuse(403, ErrorCode.UNTRUSTED_DOCUMENT, untrustedMessage);
      }
      return { body: request };
    },
  };
}

/** The message of UNTRUSTED_DOCUMENT. */
export const untrustedMessage =
  "This gateway runs only trusted documents for callers without an editor token (TRUSTED_DOCUMENTS=require): send a document of the client's manifest, by its hash";

// The hashes of recent operation texts: a hot query's text is hashed once, not on every request
// (a map lookup hashes the string too, but several times faster than SHA-256). Bounded in count
// and in the length of what it keeps, so clients sending many distinct texts cannot grow it.
const textHashes = new LRUCache<string, string>({ max: 1000 });
const longestRememberedText = 8192;

/** sha256 of a document's text, lower-case hex (APQ's `sha256Hash`; Apollo's `queryHash`), remembered for recent texts. */
export function sha256Hex(text: string): string {
  const known = textHashes.get(text);
  if (known !== undefined) return known;
  const hash = createHash("sha256").update(text).digest("hex");
  if (text.length <= longestRememberedText) textHashes.set(text, hash);
  return hash;
}

function refuse(status: number, code: string, message: string): Prepared {
  return { refusal: { status, code, message } };
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Reads each manifest; every entry's hash must be the sha256 of its text (a stale or edited manifest fails the start). */
function loadManifests(options: TrustedDocumentsOptions, log: (message: string) => void): Map<string, string> {
  const manifest = new Map<string, string>();
  if (options.mode === "off") return manifest;
  for (const file of options.manifestPaths) {
    if (!existsSync(file)) {
      if (options.optional) {
        log(`no trusted documents manifest at ${file} (run npm run generate): only registered documents are trusted`);
        continue;
      }
      throw new Error(`The trusted documents manifest ${file} does not exist (TRUSTED_DOCUMENTS_MANIFEST)`);
    }
    const entries = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (typeof entries !== "object" || entries === null || Array.isArray(entries)) throw new Error(`${file} is not a JSON object of hash -> document`);
    for (const [id, text] of Object.entries(entries)) {
      const hash = id.replace(/^sha256:/, "");
      if (typeof text !== "string" || sha256Hex(text) !== hash) throw new Error(`${file}: the document of ${JSON.stringify(id)} does not hash to it (sha256)`);
      manifest.set(hash, text);
    }
  }
  return manifest;
}

function operationNamesOf(text: string): string[] {
  return parse(text).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
}

/**
 * APQ registrations on the cache store: one GET or SET per call. A store that fails answers a
 * miss (the client then sends the text again), never an error.
 */
function registrations(store: CacheStore | null, keyOf: (hash: string) => string, ttlSeconds: number): KeyValueCache<string> {
  // Apollo's own bounded LRU (about 30 MB); Apollo passes the TTL with each registration.
  if (!store) return new InMemoryLRUCache<string>();
  return {
    async get(hash) {
      const [value] = await store.mget([keyOf(hash)]).catch(() => [null]);
      return value ?? undefined;
    },
    async set(hash, query, setOptions) {
      const ttl = typeof setOptions?.ttl === "number" && setOptions.ttl > 0 ? setOptions.ttl : ttlSeconds;
      await store.set([{ key: keyOf(hash), value: query, ttlSeconds: ttl }]).catch(() => undefined);
    },
    async delete(hash) {
      await store.del([keyOf(hash)]).catch(() => undefined);
      return true;
    },
  };
}
