import type { PrismaClient } from "../../generated/prisma/client";
import type { Embedder } from "./embedder";
import { documentFingerprint, productDocument, type IndexedProduct } from "./product-document";
import type { VectorIndex, VectorPayload } from "./vector-index";

/** What an indexing pass did. */
export interface IndexReport {
  /** Products embedded and upserted (new, or their text changed). */
  embedded: number;
  /** Products whose vector was current but whose payload (price, stock, category...) changed and was rewritten. */
  payloadOnly: number;
  /** Products whose vector and payload were both current: nothing written. */
  unchanged: number;
  /** Ids removed from the index (asked to, or no longer in the catalog). */
  removed: number;
  durationMs: number;
}

export interface SearchIndexer {
  /**
   * (Re)indexes products after a write: reads their rows, embeds those whose text (name, brand,
   * category path, description) changed since they were indexed, upserts them, rewrites the payload of the others
   * where it changed (Qdrant filters on it), and removes ids that are no longer in the catalog. Batched (`batchSize`
   * products per embed and per upsert), so `importProducts` may pass thousands of ids.
   * Call it after the write's transaction commits, with every product id the write created or
   * updated (any column: price and stock live in Qdrant's payload). Throws if the embedder or the
   * vector index fails; the full-text side needs no call (PostgreSQL computes it in the write itself).
   * A no-op when no vector index is configured, and when `changed` names the only columns the
   * write changed and none of them is indexed (`indexedColumns`).
   */
  indexProducts(productIds: readonly number[], changed?: readonly string[]): Promise<IndexReport>;
  /** Removes deleted products from the vector index (pgvector also drops them by foreign key). Call after commit. */
  removeProducts(productIds: readonly number[]): Promise<IndexReport>;
  /**
   * Brings the whole index in step with the catalog, `batchSize` products at a time in id order:
   * what is missing or stale is embedded, the rest left alone. Run at start (after a seed, an
   * import by script, or a change of embedder); cheap when the index is current (a read of every
   * row and a fingerprint comparison). `onProgress` hears products checked so far of the catalog's
   * total (0 first), and whether this is a bulk load (the index held under half the catalog: most
   * vectors are missing until it ends). See `SyncOptions` for a sync that runs beside requests.
   */
  syncAll(onProgress?: (progress: SyncProgress) => void, options?: SyncOptions): Promise<IndexReport>;
}

/** How far `syncAll` has come. */
export interface SyncProgress {
  done: number;
  total: number;
  /** The index held under half the catalog when the sync began: loaded in bulk (pgvector: without its HNSW index until the end). */
  bulk: boolean;
}

/** How `syncAll` shares the process when it runs beside requests (the start's background sync). */
export interface SyncOptions {
  /** Stops the sync after the batch in hand. */
  signal?: AbortSignal;
  /** Products per batch. Default: the indexer's `batchSize`. */
  batchSize?: number;
  /**
   * Pause between batches, ms. Default 0 (one turn of the event loop). On PGlite every statement
   * waits for the one before it: a request's few statements each wait behind a sync batch, so
   * without a pause a request under a running sync finishes about when the sync does.
   */
  pauseMs?: number;
}

export interface SearchIndexerDeps {
  prisma: PrismaClient;
  /** Null: vectors are not configured; every call is a no-op. */
  vectorIndex: VectorIndex | null;
  embedder: Embedder;
  /** Products per read, embed and upsert. Default 500. */
  batchSize?: number;
}

/** The indexer the writes call (see `SearchIndexer`). */
export function createSearchIndexer({ prisma, vectorIndex, embedder, batchSize = 500 }: SearchIndexerDeps): SearchIndexer {
  // Writes index their products while a sync may run (it runs in the background after a start):
  // each batch of either reads its rows, embeds and writes under this lock, so a sync batch that
  // read a row before a write committed cannot store its old vector after the write's new one.
  let turn: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = turn.then(work);
    turn = result.catch(() => undefined);
    return result;
  };
  const empty = (): IndexReport => ({ embedded: 0, payloadOnly: 0, unchanged: 0, removed: 0, durationMs: 0 });

  async function indexRows(index: VectorIndex, rows: IndexedProduct[], report: IndexReport): Promise<void> {
    const stored = await index.fingerprints(rows.map((row) => row.id));
    const stale: { row: IndexedProduct; document: string; fingerprint: string }[] = [];
    const current: { id: number; payload: VectorPayload }[] = [];
    for (const row of rows) {
      const document = productDocument(row);
      const fingerprint = documentFingerprint(embedder.model, document);
      if (stored.get(row.id) === fingerprint) current.push({ id: row.id, payload: payloadOf(row) });
      else stale.push({ row, document, fingerprint });
    }
    if (stale.length > 0) {
      const vectors = await embedder.embed(stale.map((item) => item.document), "document");
      await index.upsert(stale.map((item, i) => ({ id: item.row.id, vector: vectors[i], fingerprint: item.fingerprint, payload: payloadOf(item.row) })));
    }
    const rewritten = await index.updatePayload(current);
    report.embedded += stale.length;
    report.payloadOnly += rewritten;
    report.unchanged += current.length - rewritten;
  }

  return {
    async indexProducts(productIds, changed) {
      const report = empty();
      if (!vectorIndex || productIds.length === 0) return report;
      if (changed && !changed.some((column) => indexedColumns(vectorIndex).has(column))) return report;
      const started = performance.now();
      const ids = [...new Set(productIds)];
      for (let start = 0; start < ids.length; start += batchSize) {
        const batch = ids.slice(start, start + batchSize);
        await exclusive(async () => {
          const rows = await readProducts(prisma, { ids: batch });
          const found = new Set(rows.map((row) => row.id));
          const gone = batch.filter((id) => !found.has(id));
          await vectorIndex.remove(gone);
          report.removed += gone.length;
          await indexRows(vectorIndex, rows, report);
        });
      }
      report.durationMs = performance.now() - started;
      return report;
    },

    async removeProducts(productIds) {
      const report = empty();
      if (!vectorIndex || productIds.length === 0) return report;
      const started = performance.now();
      const ids = [...new Set(productIds)];
      for (let start = 0; start < ids.length; start += batchSize) await exclusive(() => vectorIndex.remove(ids.slice(start, start + batchSize)));
      report.removed = ids.length;
      report.durationMs = performance.now() - started;
      return report;
    },

    async syncAll(onProgress, { signal, batchSize: pageSize = batchSize, pauseMs = 0 } = {}) {
      const report = empty();
      if (!vectorIndex) return report;
      const index = vectorIndex;
      if (signal?.aborted) return report;
      const started = performance.now();
      // Mostly empty (a first start, a new embedder): load in bulk; otherwise top up in place.
      const [indexed, total] = await Promise.all([index.count(), prisma.product.count()]);
      const bulk = indexed < total / 2;
      onProgress?.({ done: 0, total, bulk });
      const pass = async () => {
        let after = 0;
        let done = 0;
        while (!signal?.aborted) {
          const rows = await exclusive(async () => {
            const page = await readProducts(prisma, { after, limit: pageSize });
            await indexRows(index, page, report);
            return page;
          });
          if (rows.length === 0) break;
          after = rows[rows.length - 1].id;
          onProgress?.({ done: (done += rows.length), total: Math.max(total, done), bulk });
          // A turn of the event loop per batch at least: on PGlite (answers in microtasks) and the
          // local embedder (synchronous) the sync would otherwise hold it, and /health, /ready with it.
          await new Promise<void>((resolve) => (pauseMs > 0 ? setTimeout(resolve, pauseMs) : setImmediate(resolve)));
        }
      };
      await (bulk ? index.bulkLoad(pass) : pass());
      report.durationMs = performance.now() - started;
      return report;
    },
  };
}

/**
 * The product columns (as Prisma names them) an index holds something of: the document's
 * (`productDocument`: its category's names through `categoryId`), and the payload's where the index
 * keeps one (`payloadOf`). A write that changed none of them (a popularity, an image; a price on
 * pgvector) leaves the index as it is.
 */
export function indexedColumns(index: Pick<VectorIndex, "keepsPayload">): ReadonlySet<string> {
  return index.keepsPayload ? withPayload : documentOnly;
}
const documentOnly: ReadonlySet<string> = new Set(["name", "brand", "description", "categoryId"]);
const withPayload: ReadonlySet<string> = new Set([...documentOnly, "price", "stock", "attributes"]);

function payloadOf(row: IndexedProduct): VectorPayload {
  return { categoryPath: row.categoryPath, brand: row.brand, price: row.price, stock: row.stock, attributes: row.attributes };
}

// The rows to index: by ids, or the next page after an id (keyset, for syncAll).
async function readProducts(prisma: PrismaClient, by: { ids: readonly number[] } | { after: number; limit: number }): Promise<IndexedProduct[]> {
  const where = "ids" in by ? "p.id = ANY($1::int[])" : "p.id > $1::int ORDER BY p.id LIMIT $2::int";
  const params = "ids" in by ? [[...by.ids]] : [by.after, by.limit];
  const rows = await prisma.$queryRawUnsafe<
    { id: number; name: string; brand: string; description: string; price: number; stock: number; category_id: number; path: string; category_text: string; attributes: unknown }[]
  >(
    `SELECT p.id, p.name, p.brand, p.description, p.price::float8 AS price, p.stock, p.category_id, c.path, p.category_text, p.attributes
       FROM products p JOIN categories c ON c.id = p.category_id
      WHERE ${where}`,
    ...params,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    name: row.name,
    brand: row.brand,
    description: row.description,
    price: Number(row.price),
    stock: Number(row.stock),
    categoryId: Number(row.category_id),
    categoryPath: row.path.split("/").filter(Boolean).map(Number),
    categoryText: row.category_text,
    attributes: (typeof row.attributes === "string" ? JSON.parse(row.attributes) : row.attributes ?? {}) as Record<string, unknown>,
  }));
}
