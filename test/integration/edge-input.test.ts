import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { bearer, gql, gqlData, startTestGateway } from "../helpers/gateway";
import { seedGeneratedCatalog } from "../helpers/shared-data";
import type { Gateway } from "../../src/server";

/** POSTs a raw body (anything JSON can carry) and returns the HTTP status and the parsed answer. */
async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: response.status, json: (await response.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } };
}

/** `{"a":{"a":...}}` nested `levels` deep, as JSON text (built as text: JSON.stringify would overflow too). */
function nestedObject(levels: number, leaf = "1"): string {
  return '{"a":'.repeat(levels) + leaf + "}".repeat(levels);
}

const NUL = "bad\u0000value";

// What a client sends cannot crash the gateway or reach PostgreSQL malformed: over real HTTP,
// against PostgreSQL, with the whole-response cache on (it hashes the variables of every query).
describe("the edge: input a client sends", () => {
  let db: TestDatabase;
  let gateway: Gateway;
  let url: string;
  let editor: Record<string, string>;
  let categoryId: string;

  beforeAll(async () => {
    db = await createTestDatabase("edgein");
    await seedGeneratedCatalog(db, { products: 300, categories: 30 });
    gateway = await startTestGateway(db, { env: { CACHE_STORE: "memory" } });
    url = gateway.url;
    editor = await bearer(gateway, "editor");
    const [row] = await db.sql.query<{ id: number }>(`SELECT id FROM categories WHERE parent_id IS NULL ORDER BY id LIMIT 1`);
    categoryId = String(row.id);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.drop();
  });

  it("refuses variables nested 5,000 levels as BAD_USER_INPUT naming the path, and keeps serving", async () => {
    const deep = await post(url, `{"query":"{ __typename }","variables":{"v":${nestedObject(5000)}}}`);
    expect(deep.status).toBe(400);
    expect(deep.json.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(deep.json.errors?.[0].extensions?.field).toMatch(/^variables\.v\.a\.a\.a.*\.\.\./);
    const arrays = await post(url, `{"query":"{ __typename }","variables":{"v":${"[".repeat(5000)}${"]".repeat(5000)}}}`);
    expect(arrays.json.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    const extensions = await post(url, `{"query":"{ __typename }","extensions":${nestedObject(5000)}}`);
    expect(extensions.json.errors?.[0].extensions?.field).toMatch(/^extensions\.a\.a/);
    // The process is alive and answers the next request.
    expect(await gqlData(url, `{ __typename }`)).toEqual({ __typename: "Query" });
  });

  it("refuses a JSON filter value or createProduct attributes nested 5,000 levels", async () => {
    const filter = await post(url, `{"query":"query($f: ProductFilter) { products(filter: $f) { totalCount } }","variables":{"f":{"attributes":[{"name":"x","values":[${nestedObject(5000)}]}]}}}`);
    expect(filter.json.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(filter.json.errors?.[0].extensions?.field).toMatch(/^variables\.f\.attributes\[0\]\.values\[0\]\.a/);
    const create = await post(
      url,
      `{"query":"mutation($a: JSON) { createProduct(input: { sku: \\"DEEP-1\\", name: \\"n\\", brand: \\"b\\", price: 1, categoryId: \\"${categoryId}\\", attributes: $a }) { id } }","variables":{"a":${nestedObject(5000)}}}`,
      editor,
    );
    expect(create.json.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(await gqlData(url, `{ __typename }`)).toEqual({ __typename: "Query" });
  });

  it("bounds the JSON scalar itself: with the edge's depth raised, a deep value is still BAD_USER_INPUT on the variable", async () => {
    const lenient = await startTestGateway(db, { env: { MAX_INPUT_DEPTH: "1000" } });
    try {
      const filter = await post(lenient.url, `{"query":"query($f: ProductFilter) { products(filter: $f) { totalCount } }","variables":{"f":{"attributes":[{"name":"x","values":[${nestedObject(900)}]}]}}}`);
      expect(filter.json.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
      expect(filter.json.errors?.[0].extensions?.field).toBe("f.attributes[0].values[0]");
      expect(filter.json.errors?.[0].message).toMatch(/nested deeper than 32 levels/);
    } finally {
      await lenient.stop();
    }
  });

  describe("NUL bytes never reach PostgreSQL", () => {
    const cases: [string, string, Record<string, unknown>, string, boolean][] = [
      ["productBySku", `query($s: String!) { productBySku(sku: $s) { id } }`, { s: NUL }, "variables.s", false],
      ["categoryBySlug", `query($s: String!) { categoryBySlug(slug: $s) { id } }`, { s: NUL }, "variables.s", false],
      ["search", `query($s: String!) { search(query: $s) { totalCount } }`, { s: NUL }, "variables.s", false],
      ["autocomplete", `query($s: String!) { autocomplete(prefix: $s) }`, { s: NUL }, "variables.s", false],
      ["filter.brands", `query($f: ProductFilter) { products(filter: $f) { totalCount } }`, { f: { brands: ["ok", NUL] } }, "variables.f.brands[1]", false],
      ["createProduct", `mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }`, { i: { sku: "NUL-1", name: NUL, brand: "b", price: 1, categoryId: "1" } }, "variables.i.name", true],
      ["createCategory", `mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }`, { i: { name: NUL } }, "variables.i.name", true],
      ["updateProduct", `mutation($i: UpdateProductInput!) { updateProduct(id: "1", input: $i) { id } }`, { i: { description: NUL } }, "variables.i.description", true],
      ["importProducts", `mutation($r: [ProductInput!]!) { importProducts(rows: $r) { created } }`, { r: [{ sku: "NUL-2", name: "n", brand: NUL, price: 1, categoryId: "1" }] }, "variables.r[0].brand", true],
      ["an attribute key", `mutation($i: UpdateProductInput!) { updateProduct(id: "1", input: $i) { id } }`, { i: { attributes: { [NUL]: 1 } } }, "variables.i.attributes.bad\u0000value", true],
    ];
    it.each(cases)("in variables: %s", async (_name, query, variables, field, write) => {
      const before = db.counter.statements;
      const answer = await post(url, JSON.stringify({ query, variables }), write ? editor : {});
      expect(answer.status).toBe(400);
      expect(answer.json.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field });
      expect(db.counter.statements).toBe(before);
    });

    const literals: [string, string, string, boolean][] = [
      ["productBySku", `{ productBySku(sku: "a\\u0000b") { id } }`, "sku", false],
      ["categoryBySlug", `{ categoryBySlug(slug: "a\\u0000b") { id } }`, "slug", false],
      ["search", `{ search(query: "a\\u0000b") { totalCount } }`, "query", false],
      ["autocomplete", `{ autocomplete(prefix: "a\\u0000b") }`, "prefix", false],
      ["filter.brands", `{ products(filter: { brands: ["ok", "a\\u0000b"] }) { totalCount } }`, "filter.brands[1]", false],
      ["createProduct", `mutation { createProduct(input: { sku: "NUL-3", name: "a\\u0000b", brand: "b", price: 1, categoryId: "1" }) { id } }`, "input.name", true],
      ["createCategory", `mutation { createCategory(input: { name: "a\\u0000b" }) { id } }`, "input.name", true],
      ["updateProduct", `mutation { updateProduct(id: "1", input: { brand: "a\\u0000b" }) { id } }`, "input.brand", true],
      ["importProducts", `mutation { importProducts(rows: [{ sku: "NUL-4", name: "n", brand: "b", price: 1, categoryId: "1", description: "a\\u0000b" }]) { created } }`, "rows[0].description", true],
      ["a variable's default", `query($s: String = "a\\u0000b") { productBySku(sku: $s) { id } }`, "s", false],
    ];
    it.each(literals)("in document literals: %s", async (_name, query, field, write) => {
      const before = db.counter.statements;
      const answer = await post(url, JSON.stringify({ query }), write ? editor : {});
      expect(answer.status).toBe(400);
      expect(answer.json.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field });
      expect(db.counter.statements).toBe(before);
    });

    it("in GET requests too", async () => {
      const search = new URLSearchParams({ query: `query($s: String!) { productBySku(sku: $s) { id } }`, variables: JSON.stringify({ s: NUL }) });
      const response = await fetch(`${url}?${search}`, { headers: { "apollo-require-preflight": "1" } });
      const json = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
      expect(response.status).toBe(400);
      expect(json.errors[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "variables.s" });
    });
  });

  it("refuses lone surrogates (invalid UTF-16, no UTF-8 encoding)", async () => {
    const answer = await post(url, `{"query":"query($s: String!) { productBySku(sku: $s) { id } }","variables":{"s":"a\\ud800b"}}`);
    expect(answer.json.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "variables.s" });
    expect(answer.json.errors?.[0].message).toMatch(/lone surrogate/);
  });

  it("refuses subscriptions with OPERATION_NOT_SUPPORTED", async () => {
    const answer = await post(url, JSON.stringify({ query: "subscription { x }" }));
    expect(answer.status).toBe(400);
    expect(answer.json.errors?.[0].extensions?.code).toBe("OPERATION_NOT_SUPPORTED");
    expect(answer.json.errors?.[0].message).toMatch(/Subscriptions are not supported/);
  });

  it("names the variable (and the path inside it) of a coercion error", async () => {
    const int = await gql(url, `query($n: Int) { products(first: $n) { totalCount } }`, { n: 2 ** 40 });
    expect(int.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "n" });
    expect(int.errors?.[0].message).toMatch(/Int cannot represent non 32-bit signed integer value/);
    const nested = await gql(url, `query($f: ProductFilter) { products(filter: $f) { totalCount } }`, { f: { minPrice: "cheap" } });
    expect(nested.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "f.minPrice" });
    const missing = await gql(url, `query($s: String!) { productBySku(sku: $s) { id } }`, {});
    expect(missing.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "s" });
  });

  it("hides 'Did you mean' suggestions in production, keeps them in development", async () => {
    const mistakes = [
      `{ prodcts { totalCount } }`,
      `{ products(frist: 1) { totalCount } }`,
      `{ products(orderBy: PRICE_AS) { totalCount } }`,
      `query($f: ProductFiltr) { products(filter: $f) { totalCount } }`,
    ];
    for (const query of mistakes) expect((await gql(url, query)).errors?.[0].message).toMatch(/Did you mean/);
    const production = await startTestGateway(db, { env: { NODE_ENV: "production", JWT_SECRET: "x".repeat(32) } });
    try {
      for (const query of mistakes) {
        const answer = await gql(production.url, query);
        expect(answer.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
        expect(answer.errors?.[0].message).not.toMatch(/Did you mean|totalCount|PRICE_ASC|ProductFilter"/);
      }
      const variable = await gql(production.url, `query($o: ProductOrder) { products(orderBy: $o) { totalCount } }`, { o: "PRICE_AS" });
      expect(variable.errors?.[0].message).not.toMatch(/Did you mean/);
    } finally {
      await production.stop();
    }
  });

  describe("cursors are bound to their listing", () => {
    const page = `query($c: ID, $d: Boolean, $f: ProductFilter, $after: String) {
      products(categoryId: $c, includeDescendants: $d, filter: $f, first: 2, after: $after) { pageInfo { endCursor } edges { node { id } } }
    }`;
    const cursorOf = async (variables: Record<string, unknown>) => (await gqlData(url, page, variables)).products.pageInfo.endCursor as string;

    it("accepts its own cursor", async () => {
      const after = await cursorOf({ c: categoryId });
      const next = await gqlData(url, page, { c: categoryId, after });
      expect(next.products.edges.length).toBeGreaterThan(0);
    });

    it.each([
      ["a category's cursor on the whole catalog", { c: "CAT" }, {}],
      ["a catalog cursor on a category", {}, { c: "CAT" }],
      ["includeDescendants flipped", { c: "CAT" }, { c: "CAT", d: false }],
      ["another filter", { c: "CAT" }, { c: "CAT", f: { inStock: true } }],
    ])("refuses %s", async (_name, from, to) => {
      const withCategory = (v: Record<string, unknown>) => ({ ...v, ...(v.c ? { c: categoryId } : {}) });
      const after = await cursorOf(withCategory(from));
      const answer = await gql(url, page, { ...withCategory(to), after });
      expect(answer.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "after" });
    });

    it("refuses a search cursor on another search", async () => {
      const search = `query($q: String!, $after: String) { search(query: $q, mode: TEXT, first: 1, after: $after) { pageInfo { endCursor } } }`;
      const [{ name }] = await db.sql.query<{ name: string }>(`SELECT name FROM products ORDER BY id LIMIT 1`);
      const word = name.split(/\s+/)[0];
      const after = (await gqlData(url, search, { q: word })).search.pageInfo.endCursor;
      expect(after).toEqual(expect.any(String));
      const answer = await gql(url, search, { q: `${word} other`, after });
      expect(answer.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "after" });
    });
  });
});
