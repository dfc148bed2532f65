import { loadConfig } from "../../src/config";
import { startGateway, type Gateway } from "../../src/server";
import { executorEnv, gql, gqlAs, gqlData, synced } from "../helpers/gateway";

// The embedded default (PGlite with pgvector, the local embedder, the in-process cache), started
// as `npm start` starts: migrated, seeded, and its vectors indexed (in the background: the tests
// wait for it, and the last one looks at what is answered meanwhile). Writes go
// through the mutations, which keep both sides of search current: the full text by PostgreSQL's
// generated column, the vectors by the search indexer the product services call.
describe("search in the embedded default (PGlite, HYBRID, mutations)", () => {
  let gateway: Gateway;
  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => gateway.db.sql.query<T>(text, params);
  const SEARCH = `query($q: String!, $mode: SearchMode) { search(query: $q, mode: $mode, first: 10) { mode totalCount notices { code } hits { score product { id name } } } }`;
  const ids = async (q: string, mode: string) => (await gqlData(gateway.url, SEARCH, { q, mode })).search.hits.map((hit: any) => hit.product.id as string);
  const editor = (query: string, variables: Record<string, unknown>) =>
    gqlAs(gateway, ["editor"], query, variables).then((response) => {
      if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
      return response.data as Record<string, any>;
    });

  beforeAll(async () => {
    const config = loadConfig({ ...executorEnv(), NODE_ENV: "test", PORT: "0", PGLITE_DATA_DIR: "memory://", SEED_PRODUCTS: "600", SEED_CATEGORIES: "40" });
    gateway = await synced(await startGateway(config));
  });
  afterAll(() => gateway?.stop());

  it("answers at once while the catalog's first embedding runs: HYBRID from full text with a notice, then HYBRID", async () => {
    let open = () => {};
    const held = new Promise<void>((resolve) => (open = resolve));
    const config = loadConfig({ NODE_ENV: "test", PORT: "0", PGLITE_DATA_DIR: "memory://", SEED_PRODUCTS: "200", SEED_CATEGORIES: "20" });
    const early = await startGateway(config, { faults: { vectorSyncGate: held } });
    try {
      const ready = await fetch(new URL("/ready", early.url));
      expect(ready.status).toBe(200);
      expect((await ready.json()).vectors).toMatchObject({ vectorIndex: "pgvector", indexing: { done: 0 } });
      const during = await gql(early.url, SEARCH, { q: "black", mode: "HYBRID" });
      expect((during.data as any).search).toMatchObject({ mode: "TEXT", notices: [{ code: "VECTOR_SEARCH_UNAVAILABLE" }] });
      expect((during.data as any).search.hits.length).toBe(10);
      const vector = await gql(early.url, SEARCH, { q: "black", mode: "VECTOR" });
      expect(vector.errors?.[0]?.message).toMatch(/embedded for the first time/);
      open();
      expect(await early.search.synced()).toMatchObject({ embedded: 200 });
      // The text-only answer was kept under the "indexing" state: the same search now runs with vectors.
      expect((await gqlData(early.url, SEARCH, { q: "black", mode: "HYBRID" })).search).toMatchObject({ mode: "HYBRID", notices: [] });
      expect((await (await fetch(new URL("/ready", early.url))).json()).vectors.indexing).toBeUndefined();
    } finally {
      await early.stop();
    }
  });

  it("indexes the seeded catalog's vectors at start and answers HYBRID without a notice", async () => {
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM product_embeddings`);
    expect(n).toBe(600);
    const result = (await gqlData(gateway.url, SEARCH, { q: "black", mode: "HYBRID" })).search;
    expect(result).toMatchObject({ mode: "HYBRID", notices: [] });
    expect(result.hits.length).toBe(10);
    const response = await gql(gateway.url, SEARCH, { q: "black" });
    expect(response.extensions?.notices).toBeUndefined();
  });

  it("finds a created product at once in every mode, follows a rename, and forgets it when deleted", async () => {
    // Warm the cache with searches that should change.
    for (const mode of ["TEXT", "VECTOR", "HYBRID"]) expect(await ids("zanzibar hammock", mode)).not.toContain("x");
    const { createCategory } = await editor(`mutation { createCategory(input: { name: "Outdoor Living" }) { id } }`, {});
    const { createProduct } = await editor(
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      { input: { sku: "HAMMOCK-1", name: "Tropico - Zanzibar Hammock - Teal", brand: "Tropico", description: "A woven hammock for two.", price: 129.99, stock: 4, categoryId: createCategory.id } },
    );
    const id = createProduct.id as string;
    for (const mode of ["TEXT", "VECTOR", "HYBRID"]) expect((await ids("zanzibar hammock", mode))[0]).toBe(id);
    const [embedding] = await sql<{ fingerprint: string }>(`SELECT fingerprint FROM product_embeddings WHERE product_id = $1`, [Number(id)]);
    expect(embedding).toBeDefined();

    await editor(`mutation($id: ID!) { updateProduct(id: $id, input: { name: "Tropico - Maldives Swing Chair - Teal" }) { id } }`, { id });
    // The old name's own word; "hammock" alone still finds it (its description says hammock).
    expect(await ids("zanzibar", "TEXT")).not.toContain(id);
    for (const mode of ["TEXT", "VECTOR", "HYBRID"]) expect((await ids("maldives swing chair", mode))[0]).toBe(id);
    const [renamed] = await sql<{ fingerprint: string }>(`SELECT fingerprint FROM product_embeddings WHERE product_id = $1`, [Number(id)]);
    expect(renamed.fingerprint).not.toBe(embedding.fingerprint);

    await editor(`mutation($id: ID!) { deleteProduct(id: $id) { deleted } }`, { id });
    for (const mode of ["TEXT", "VECTOR", "HYBRID"]) expect(await ids("maldives swing chair", mode)).not.toContain(id);
    expect(await sql(`SELECT 1 FROM product_embeddings WHERE product_id = $1`, [Number(id)])).toEqual([]);
  });

  it("changes stats and autocomplete right after a mutation", async () => {
    const before = (await gqlData(gateway.url, `{ stats { productCount byBrand { brand productCount } } autocomplete(prefix: "quok") }`));
    expect(before.autocomplete).toEqual([]);
    const { categories } = await gqlData(gateway.url, `{ categories { id name } }`);
    const outdoor = categories.find((c: { name: string }) => c.name === "Outdoor Living");
    await editor(`mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`, {
      input: { sku: "QUOKKA-1", name: "Quokka - Trail Cooler - Sand", brand: "Quokka", price: 59, stock: 2, categoryId: outdoor.id },
    });
    const after = await gqlData(gateway.url, `{ stats { productCount byBrand { brand productCount } } autocomplete(prefix: "quok") }`);
    expect(after.stats.productCount).toBe(before.stats.productCount + 1);
    expect(after.stats.byBrand).toContainEqual({ brand: "Quokka", productCount: 1 });
    expect(after.autocomplete).toEqual(["Quokka", "Quokka - Trail Cooler - Sand"]);
  });

  it("reports the vector index on /ready", async () => {
    const ready = (await (await fetch(new URL("/ready", gateway.url))).json()) as { vectors: unknown };
    expect(ready.vectors).toEqual({ vectorIndex: "pgvector", available: true, embedder: "local-hash-v1/128" });
  });
});
