import type { Gateway } from "../../src/server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { bearer, startTestGateway } from "../helpers/gateway";
import { seedGeneratedCatalog } from "../helpers/shared-data";

// Both executors named explicitly (whatever EXECUTOR the suite runs under), over HTTP, on one
// database: the same operations, read and refused, answer the same status and body from a gateway
// with EXECUTOR=jit (the default) and one with EXECUTOR=graphql-js. Whole responses are off, so
// every request is executed.
jest.setTimeout(120_000);

describe("EXECUTOR=jit and EXECUTOR=graphql-js answer alike over HTTP", () => {
  let db: TestDatabase;
  let jit: Gateway;
  let graphqlJs: Gateway;

  beforeAll(async () => {
    db = await createTestDatabase("executors");
    await seedGeneratedCatalog(db, { products: 120, categories: 12 });
    const env = { CACHE_STORE: "memory", CACHE_RESPONSES: "false" };
    jit = await startTestGateway(db, { env: { ...env, EXECUTOR: "jit" } });
    graphqlJs = await startTestGateway(db, { env: { ...env, EXECUTOR: "graphql-js" } });
  });
  afterAll(async () => {
    await jit?.stop();
    await graphqlJs?.stop();
    await db?.drop();
  });

  async function post(gateway: Gateway, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    const response = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const reads: [string, string, Record<string, unknown>?][] = [
    ["the tree, two levels", `{ categoryTree(maxDepth: 2) { id name slug depth children { id name depth children { id } } } }`],
    [
      "a page of products with nested categories, cursors and a filter",
      `query($f: ProductFilter) { products(first: 20, orderBy: PRICE_ASC, filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id sku name price stock attributes createdAt category { id name parent { id name } ancestors { id } } } } } }`,
      { f: { minPrice: 5, inStock: true } },
    ],
    ["a category with its attributes and counts", `{ categories { id name productCount own: productCount(includeDescendants: false) attributes { name } children { id slug } } }`],
    ["a text search with facets", `{ search(query: "pro", mode: TEXT, first: 5) { totalCount hits { score product { id name brand } } facets { field values { value count } } } }`],
    ["statistics", `{ stats { productCount categoryCount } }`],
    ["autocomplete", `{ autocomplete(prefix: "a", limit: 5) }`],
    ["an id that is not a number (BAD_USER_INPUT on a field)", `{ ok: product(id: "1") { id } bad: product(id: "x1") { id } }`],
    ["a SKU that is not there", `{ productBySku(sku: "NO-SUCH-SKU") { id } }`],
    ["a page size out of bounds", `{ products(first: -1) { totalCount } }`],
    ["a missing non-null variable (400)", `query($id: ID!) { product(id: $id) { id } }`],
    ["a variable of the wrong type inside an input (400)", `query($f: ProductFilter) { products(filter: $f) { totalCount } }`, { f: { minPrice: "cheap" } }],
    ["an unknown field (validation, 400)", `{ product(id: "1") { id colour } }`],
    ["private data (@private: never in a whole response)", `{ cacheStats { families { family } } }`],
  ];

  it.each(reads.map(([title, query, variables]) => ({ title, query, variables })))("$title", async ({ query, variables }) => {
    const compiled = await post(jit, query, variables);
    const reference = await post(graphqlJs, query, variables);
    expect(compiled).toEqual(reference);
  });

  it("a write refused for a bad input changes nothing, under both", async () => {
    const mutation = `mutation($id: ID!) { updateProduct(id: $id, input: { price: 1.234 }) { id price } }`;
    const compiled = await post(jit, mutation, { id: "1" }, await bearer(jit, "editor"));
    const reference = await post(graphqlJs, mutation, { id: "1" }, await bearer(graphqlJs, "editor"));
    expect(compiled).toEqual(reference);
    expect((compiled.body.errors as { extensions: { code: string } }[])[0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("ran the reads compiled on one gateway and with graphql-js on the other", () => {
    expect(graphqlJs.executor).toBeNull();
    // Every read but the ones refused before execution (variables, validation) ran compiled; the mutation did not.
    expect(jit.executor?.counters.compiled).toBeGreaterThanOrEqual(reads.length - 3);
    expect(jit.executor?.counters.graphqlJs).toBeGreaterThanOrEqual(1);
  });
});
