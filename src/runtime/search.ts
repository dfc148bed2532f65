import type { SearchConfig } from "../config";
import type { Database } from "../data/database";
import { suggestCompletions } from "../data/search/autocomplete";
import { createEmbedder } from "../data/search/create-embedder";
import { createVectorIndex } from "../data/search/create-vector-index";
import { createSearchIndexer, type IndexReport, type SearchIndexer } from "../data/search/search-indexer";
import { loadSynonyms, noSynonyms } from "../data/search/synonyms";
import type { VectorIndex } from "../data/search/vector-index";
import { createVectorSide } from "../data/search/vector-side";
import type { Logger } from "../logger";
import type { SearchEngineDeps } from "../loaders/search-deps";
import { createSearchEngine, createSearchService, type SearchService } from "../modules/search";
import type { ProductChangeListener } from "../modules/product/product.service";

/** Search, wired once per gateway (see `createSearchRuntime`); the statistics repository is built beside the other repositories. */
export interface SearchRuntime {
  /** For the request context (`services.search`). */
  service: SearchService;
  /** For `createLoaders`: the search engine and the completions. */
  loaderDeps: SearchEngineDeps;
  /** For the writes: keeps the vector index in step (see `SearchIndexer`). */
  indexer: SearchIndexer;
  /**
   * The indexer as the product services' `ProductChangeListener`: called after a write commits,
   * awaited (so the next search, VECTOR included, sees the write), and never failing the write: an
   * embedder or vector index error is logged and the product is re-embedded by the next start's sync.
   */
  changeListener: ProductChangeListener;
  /** Null when no vector index is configured. */
  vectorIndex: VectorIndex | null;
  /**
   * Creates the vector table or collection if missing, then (VECTOR_SYNC_ON_START) starts, in the
   * background, embedding what the index lacks: the whole catalog after a first seed or an import by
   * script, nothing on a normal restart. The gateway serves meanwhile: while a first embedding runs
   * (the index held under half the catalog) the vector side is "indexing" and HYBRID answers from
   * full text with a notice; `synced()` says when it is done. An unreachable Qdrant is logged, not
   * fatal: searches fall back to text and the collection is created (and synced, in the background)
   * on the first search after it answers. `onProgress` hears the sync's products checked (and
   * embedded where needed) of the total.
   */
  start(onProgress?: (progress: { done: number; total: number }) => void): Promise<void>;
  /** The start's sync: its report once done, null when none ran or it failed (logged). Tests and benchmarks await it. */
  synced(): Promise<IndexReport | null>;
  /** Stops the start's sync after the batch in hand (the next start finishes it) and waits for it. */
  stop(): Promise<void>;
  /** For `/ready`: which vector index, whether it answers (null when there is none), and a first embedding's progress while it runs. */
  readiness(): Promise<{ vectorIndex: string; available: boolean | null; embedder: string; indexing?: { done: number; total: number } }>;
}

/**
 * Builds, in this order, the embedder, the vector index (see `createVectorIndex`), the indexer, the
 * vector side, the synonym rules (read once; a bad line fails the start), the engine and the
 * service. Part of the composition root: the search feature (src/modules/search) builds none of
 * its collaborators.
 */
/**
 * The start's sync runs beside requests: small batches and a pause after each, so a request's
 * statements do not each wait behind a long batch (PGlite runs one statement at a time).
 */
const BACKGROUND_SYNC_BATCH = 100;
const BACKGROUND_SYNC_PAUSE_MS = 25;

/** Fault injection for tests, never set in production: `syncGate` holds the start's sync until it settles. */
export interface SearchRuntimeFaults {
  syncGate?: Promise<unknown>;
}

export async function createSearchRuntime(db: Database, config: SearchConfig, logger: Logger, faults: SearchRuntimeFaults = {}): Promise<SearchRuntime> {
  const embedder = createEmbedder(config.embedder);
  const vectorIndex = await createVectorIndex(config, db);
  const indexer = createSearchIndexer({ prisma: db.prisma, vectorIndex, embedder });
  let ready: Promise<void> | null = null;
  /** The start's first embedding of the catalog, while it runs (see `start`). */
  let indexing: { done: number; total: number } | null = null;
  let startSync: Promise<IndexReport | null> = Promise.resolve(null);
  const stopping = new AbortController();
  const BACKGROUND_SYNC = { signal: stopping.signal, batchSize: BACKGROUND_SYNC_BATCH, pauseMs: BACKGROUND_SYNC_PAUSE_MS };

  // Memoized: once the schema exists, later calls cost nothing; a failure is retried next time.
  function prepare(syncInBackground: boolean): Promise<void> {
    if (!vectorIndex) return Promise.resolve();
    ready ??= vectorIndex.ensureSchema().then(
      () => {
        if (syncInBackground && config.syncOnStart) {
          indexer.syncAll().then(
            (report) => logger.info({ report }, "vector index synced"),
            (error) => logger.warn({ err: error }, "vector index sync failed"),
          );
        }
      },
      (error) => {
        ready = null;
        throw error;
      },
    );
    return ready;
  }

  const vector = createVectorSide(vectorIndex, embedder, { prepare: () => prepare(true), retryMs: config.vectorRetryMs, indexing: () => indexing });
  const engine = createSearchEngine(db.prisma, vector, {
    rrfK: config.rrfK,
    rrfVectorWeight: config.rrfVectorWeight,
    popularityWeight: config.popularityWeight,
    maxResults: config.maxResults,
    candidateLimit: config.candidateLimit,
    vectorCandidates: config.vectorCandidates,
    vectorMinScore: config.vectorMinScore,
    facetValues: config.facetValues,
  }, config.synonymsFile === null ? noSynonyms : loadSynonyms(config.synonymsFile));

  return {
    service: createSearchService(
      { maxQueryLength: config.maxQueryLength, defaultPageSize: config.defaultPageSize, maxPageSize: config.maxPageSize, autocomplete: config.autocomplete },
      vector,
    ),
    loaderDeps: { searchEngine: engine, suggest: (prefix, limit) => suggestCompletions(db.prisma, prefix, limit) },
    indexer,
    changeListener: {
      productsChanged: (ids, changed) =>
        indexer.indexProducts(ids, changed).then(
          () => undefined,
          (error) => logger.warn({ err: error, products: ids.length }, "changed products were not re-indexed in the vector index"),
        ),
      productsRemoved: (ids) =>
        indexer.removeProducts(ids).then(
          () => undefined,
          (error) => logger.warn({ err: error, products: ids.length }, "deleted products were not removed from the vector index"),
        ),
    },
    vectorIndex,
    async start(onProgress) {
      if (!vectorIndex) {
        logger.info("vector search is off: no vector index is configured (HYBRID search answers from full text)");
        return;
      }
      try {
        await prepare(false);
      } catch (error) {
        logger.warn({ err: error, vectorIndex: vectorIndex.kind }, "the vector index is unavailable; searches fall back to full text until it answers");
        return;
      }
      if (!config.syncOnStart) return;
      // "indexing" from now until the sync's first report says whether this is a first embedding
      // (usually milliseconds): no search runs against an empty index under the pgvector state.
      indexing = { done: 0, total: 0 };
      const aborted = new Promise((resolve) => stopping.signal.addEventListener("abort", resolve, { once: true }));
      startSync = Promise.race([faults.syncGate, aborted])
        .then(() =>
          indexer.syncAll(({ done, total, bulk }) => {
            indexing = bulk && done < total ? { done, total } : null;
            onProgress?.({ done, total });
          }, BACKGROUND_SYNC),
        )
        .then(
          (report) => {
            logger.info({ vectorIndex: vectorIndex.kind, embedder: embedder.model, ...report }, "vector index synced");
            return report;
          },
          (error) => {
            logger.warn({ err: error, vectorIndex: vectorIndex.kind }, "vector index sync failed; products missing from it are embedded by the next start");
            return null;
          },
        )
        .finally(() => (indexing = null));
    },
    synced: () => startSync,
    async stop() {
      stopping.abort();
      await startSync;
    },
    async readiness() {
      return {
        vectorIndex: vectorIndex?.kind ?? "none",
        available: vectorIndex ? await vectorIndex.ping().catch(() => false) : null,
        embedder: embedder.model,
        ...(indexing ? { indexing: { ...indexing } } : {}),
      };
    },
  };
}
