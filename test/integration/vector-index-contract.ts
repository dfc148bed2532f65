import type { Database } from "../../src/data/database";
import { createLocalEmbedder } from "../../src/data/search/local-embedder";
import { documentFingerprint, productDocument } from "../../src/data/search/product-document";
import { createSearchIndexer } from "../../src/data/search/search-indexer";
import type { SearchScope, VectorIndex } from "../../src/data/search/vector-index";

/**
 * The contract every `VectorIndex` adapter passes (pgvector and Qdrant run this same suite): schema
 * creation, upsert through the real indexer, nearest-neighbour order, each filter meaning what SQL
 * says it means, thresholds, fingerprints, payload updates and removal. `setup` gives a database
 * holding a generated catalog (the filters are checked against it) and a fresh, empty index.
 */
export function vectorIndexContract(setup: () => Promise<{ db: Database; index: VectorIndex }>) {
  let db: Database;
  let index: VectorIndex;
  const embedder = createLocalEmbedder(128);
  const all: SearchScope = { categoryId: null, filter: {} };
  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
  const embedQuery = async (text: string) => (await embedder.embed([text], "query"))[0];
  const productIds = async () => (await sql<{ id: number }>(`SELECT id FROM products ORDER BY id`)).map((row) => row.id);

  beforeAll(async () => {
    ({ db, index } = await setup());
  });

  it("creates its schema idempotently and indexes the whole catalog through the indexer", async () => {
    await index.ensureSchema();
    await index.ensureSchema();
    expect(index.dimensions).toBe(128);
    expect(await index.ping()).toBe(true);
    const indexer = createSearchIndexer({ prisma: db.prisma, vectorIndex: index, embedder, batchSize: 100 });
    const report = await indexer.syncAll();
    const ids = await productIds();
    expect(report.embedded).toBe(ids.length);
    expect(await index.count()).toBe(ids.length);
    // A second pass finds every vector current, and writes no payload (none changed).
    const progress: { done: number; total: number; bulk: boolean }[] = [];
    const again = await indexer.syncAll((step) => progress.push(step));
    expect(again).toMatchObject({ embedded: 0, payloadOnly: 0, unchanged: ids.length });
    expect(progress[0]).toEqual({ done: 0, total: ids.length, bulk: false });
    expect(progress.at(-1)).toEqual({ done: ids.length, total: ids.length, bulk: false });
  });

  it("finds a product nearest to its own text, scores by cosine similarity, best first", async () => {
    const [product] = await sql<{ id: number; name: string; brand: string; description: string; categoryText: string }>(
      `SELECT id, name, brand, description, category_text AS "categoryText" FROM products ORDER BY popularity DESC, id LIMIT 1`,
    );
    const [vector] = await embedder.embed([productDocument(product)], "document");
    const hits = await index.search({ vector, scope: all, limit: 10, minScore: -1 });
    expect(hits).toHaveLength(10);
    expect(hits[0].id).toBe(product.id);
    expect(hits[0].score).toBeCloseTo(1, 3);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
  });

  it("keeps to limit and minScore", async () => {
    const vector = await embedQuery("wireless headphones black");
    const hits = await index.search({ vector, scope: all, limit: 5, minScore: -1 });
    expect(hits).toHaveLength(5);
    const strict = await index.search({ vector, scope: all, limit: 50, minScore: 0.3 });
    expect(strict.every((hit) => hit.score >= 0.3)).toBe(true);
    expect(await index.search({ vector, scope: all, limit: 50, minScore: 0.9999 })).toEqual([]);
  });

  it("applies every filter before ranking, meaning what SQL means", async () => {
    const vector = await embedQuery("black");
    const [{ brand }] = await sql<{ brand: string }>(`SELECT brand FROM products GROUP BY brand ORDER BY count(*) DESC, brand LIMIT 1`);
    const [root] = await sql<{ id: number; path: string }>(`SELECT id, path FROM categories WHERE parent_id IS NULL ORDER BY id LIMIT 1`);
    const [{ color }] = await sql<{ color: string }>(
      `SELECT attributes->>'color' AS color FROM products WHERE attributes ? 'color' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
    );
    const cases: [SearchScope, string, unknown[]][] = [
      [{ categoryId: null, filter: { brands: [brand] } }, `p.brand = $1`, [brand]],
      [{ categoryId: null, filter: { minPrice: "50.00", maxPrice: "200.00" } }, `p.price BETWEEN 50 AND 200`, []],
      [{ categoryId: root.id, filter: {} }, `c.path LIKE $1`, [`${root.path}%`]],
      [{ categoryId: null, filter: { inStock: false } }, `p.stock = 0`, []],
      [{ categoryId: null, filter: { attributes: [{ name: "color", values: [color] }] } }, `p.attributes->>'color' = $1`, [color]],
    ];
    for (const [scope, condition, params] of cases) {
      const hits = await index.search({ vector, scope, limit: 20, minScore: -1 });
      const allowed = new Set(
        (await sql<{ id: number }>(`SELECT p.id FROM products p JOIN categories c ON c.id = p.category_id WHERE ${condition}`, params)).map((row) => row.id),
      );
      expect(hits.length).toBe(Math.min(20, allowed.size));
      for (const hit of hits) expect(allowed.has(hit.id)).toBe(true);
    }
  });

  it("stores fingerprints, replaces on upsert, updates payloads and removes points", async () => {
    const [first, second] = await productIds();
    const stored = await index.fingerprints([first, second, 999_999]);
    expect([...stored.keys()].sort((a, b) => a - b)).toEqual([first, second]);
    const [row] = await sql<{ name: string; brand: string; description: string; categoryText: string }>(
      `SELECT name, brand, description, category_text AS "categoryText" FROM products WHERE id = $1`,
      [first],
    );
    expect(stored.get(first)).toBe(documentFingerprint(embedder.model, productDocument(row)));

    // Another vector for `first`: it is now nearest to a text it was not embedded from.
    const vector = await embedQuery("zyzzyva quokka");
    await index.upsert([{ id: first, vector, fingerprint: "replaced", payload: { categoryPath: [], brand: "x", price: 0, stock: 0, attributes: {} } }]);
    expect((await index.fingerprints([first])).get(first)).toBe("replaced");
    expect((await index.search({ vector, scope: all, limit: 1, minScore: -1 }))[0].id).toBe(first);

    // A price change written in SQL reaches the index's filters after indexProducts.
    await sql(`UPDATE products SET price = 12345.67 WHERE id = $1`, [second]);
    const indexer = createSearchIndexer({ prisma: db.prisma, vectorIndex: index, embedder });
    const report = await indexer.indexProducts([first, second]);
    // The price reaches a payload where the index keeps one (Qdrant); pgvector joins the table.
    expect(report).toMatchObject({ embedded: 1, payloadOnly: index.kind === "qdrant" ? 1 : 0, removed: 0 });
    const pricey = await index.search({ vector: await embedQuery("black"), scope: { categoryId: null, filter: { minPrice: "12345.00" } }, limit: 5, minScore: -1 });
    expect(pricey.map((hit) => hit.id)).toEqual([second]);

    // A write that names the columns it changed: none indexed (a popularity, an image), nothing is
    // read or written (not even counted unchanged); a price, only where the index keeps a payload.
    await sql(`UPDATE products SET price = 23456.78 WHERE id = $1`, [second]);
    expect(await indexer.indexProducts([first, second], ["popularity", "imageUrl"])).toMatchObject({ embedded: 0, payloadOnly: 0, unchanged: 0 });
    expect(await indexer.indexProducts([second], ["price"])).toMatchObject({ embedded: 0, payloadOnly: index.kind === "qdrant" ? 1 : 0, unchanged: 0 });
    expect(await indexer.indexProducts([second], ["name", "price"])).toMatchObject({ embedded: 0, unchanged: 1 });

    await index.remove([first, 999_999]);
    expect((await index.fingerprints([first])).size).toBe(0);
    const count = (await productIds()).length;
    expect(await index.count()).toBe(count - 1);
    await index.clear();
    expect(await index.count()).toBe(0);
  });
}
