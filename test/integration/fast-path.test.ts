import { createHash } from "node:crypto";
import type { Gateway } from "../../src/server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { gqlData, startTestGateway } from "../helpers/gateway";
import { seedGeneratedCatalog } from "../helpers/shared-data";

// The fast path of known queries (src/execution/fast-path.ts) against Apollo's pipeline, over HTTP:
// two gateways on one database, EXECUTION_FAST_PATH=on and off, asked the same requests in the same
// order, answer the same status, headers and body bytes, and count the same in their metrics; the
// counters show which requests the fast path answered and which it handed back to Apollo.
jest.setTimeout(120_000);

interface Sent {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

const comparedHeaders = ["content-type", "cache-control", "etag", "retry-after", "surrogate-key"];

async function send(gateway: Gateway, body: unknown, headers: Record<string, string> = {}): Promise<Sent> {
  const response = await fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: response.status, headers: Object.fromEntries(comparedHeaders.map((name) => [name, response.headers.get(name)])), body: await response.text() };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Counts of the telemetry series, per label set (the duration histogram's `_count` and the refusals). */
async function telemetryCounts(gateway: Gateway): Promise<string[]> {
  const text = await (await fetch(new URL("/metrics", gateway.url))).text();
  return text.split("\n").filter((line) => /^catalog_operation_duration_seconds_count|^catalog_operations_rejected_total/.test(line));
}

const bySku = "query BySku($sku: String!) { productBySku(sku: $sku) { id sku name price category { id name parent { id name } } } }";
const page = `query Page($id: ID, $n: Int) { products(categoryId: $id, first: $n, orderBy: PRICE_ASC) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name price createdAt attributes category { name parent { name } } } } } }`;
const children = `query Children($id: ID!) { category(id: $id) { id name children { id name slug productCount } } }`;
const tree = "{ categoryTree(maxDepth: 2) { id name children { id name } } }";
const search = `query Find($q: String!) { search(query: $q, first: 5) { totalCount hits { score product { id name brand } } facets { field values { value count } } } }`;
const textSearch = `{ search(query: "pro", mode: TEXT, first: 5) { totalCount hits { product { id } } } }`;
const byId = "query ById($id: ID!) { product(id: $id) { id name } }";
const manifestBySku = "query ProductBySku($sku: String!) { productBySku(sku: $sku) { brand category { ancestors { id name } id name } id name price sku stock } }";
const twoOperations = `query A { stats { productCount } } query B { categories { id name } }`;

describe("EXECUTION_FAST_PATH: the fast path answers as Apollo does", () => {
  let db: TestDatabase;
  let fast: Gateway;
  let apollo: Gateway;
  let sku: string;
  let otherSku: string;
  let categoryId: string;

  beforeAll(async () => {
    db = await createTestDatabase("fastpath");
    await seedGeneratedCatalog(db, { products: 120, categories: 12 });
    // Rate limits on with room to spare, so every request is charged on both.
    const env = { CACHE_STORE: "memory", CACHE_RESPONSES: "false", RATE_LIMIT: "on" };
    fast = await startTestGateway(db, { env });
    apollo = await startTestGateway(db, { env: { ...env, EXECUTION_FAST_PATH: "off" } });
    // Asked of both, so that both count the same requests (the telemetry test).
    for (const gateway of [fast, apollo]) {
      const skus = await gqlData<{ products: { edges: { node: { sku: string } }[] } }>(gateway.url, "{ products(first: 2) { edges { node { sku } } } }");
      [sku, otherSku] = skus.products.edges.map((edge) => edge.node.sku);
      const roots = await gqlData<{ categories: { id: string }[] }>(gateway.url, "{ categories { id } }");
      categoryId = roots.categories[0].id;
    }
  });
  afterAll(async () => {
    await fast?.stop();
    await apollo?.stop();
    await db?.drop();
  });

  /** Sends `body` to both gateways; expects the same answer, and returns it with what the fast path counted meanwhile. */
  async function both(body: unknown, headers: Record<string, string> = {}) {
    const before = { ...fast.fastPath!.counters };
    const answer = await send(fast, body, headers);
    const reference = await send(apollo, body, headers);
    expect(answer).toEqual(reference);
    const { answered, handedBack } = fast.fastPath!.counters;
    return { answer, answered: answered - before.answered, handedBack: handedBack - before.handedBack };
  }

  it("is on by default and off by the setting", () => {
    expect(fast.fastPath).not.toBeNull();
    expect(apollo.fastPath).toBeNull();
  });

  const reads: [string, () => Record<string, unknown>][] = [
    ["productBySku with its category and parent", () => ({ query: bySku, variables: { sku } })],
    ["a nested page of a category's products", () => ({ query: page, variables: { id: categoryId, n: 20 } })],
    ["a category's children with their counts", () => ({ query: children, variables: { id: categoryId } })],
    ["the tree (answered from the tree's memo the second time)", () => ({ query: tree })],
    ["a hybrid search (notices and category intents in `extensions`)", () => ({ query: search, variables: { q: "pro" } })],
    ["a text search", () => ({ query: textSearch })],
    ["@private data", () => ({ query: "{ cacheStats { families { family } } }" })],
    ["one of several operations, by name", () => ({ query: twoOperations, operationName: "B" })],
    ["a persisted document of the manifest, by its hash", () => ({ documentId: `sha256:${sha256(manifestBySku)}`, variables: { sku } })],
  ];

  it.each(reads.map(([title, body]) => ({ title, body })))("$title: Apollo first, then the fast path", async ({ body }) => {
    const first = await both(body());
    expect(first.answer.status).toBe(200);
    expect(first.answered).toBe(0);
    const second = await both(body());
    expect(second.answered).toBe(1);
    expect(JSON.parse(second.answer.body).errors).toBeUndefined();
  });

  it("a search's notices and intents reach `extensions` on the fast path", async () => {
    const { answer, answered } = await both({ query: search, variables: { q: "pro" } });
    expect(answered).toBe(1);
    expect(Object.keys(JSON.parse(answer.body).extensions)).toEqual(expect.arrayContaining(["notices", "categoryIntents"]));
  });

  it("the same document with other variables is answered by the fast path at once", async () => {
    expect((await both({ query: bySku, variables: { sku: otherSku } })).answered).toBe(1);
    expect((await both({ query: page, variables: { id: categoryId, n: 3 } })).answered).toBe(1);
  });

  it("the content type Apollo negotiates for each Accept header", async () => {
    for (const accept of ["application/graphql-response+json", "application/json", "*/*"]) {
      await both({ query: bySku, variables: { sku } }, { accept });
      const again = await both({ query: bySku, variables: { sku } }, { accept });
      expect(again.answered).toBe(1);
    }
    // Nothing Apollo accepts: 406 from Apollo, never learned.
    const refused = await both({ query: bySku, variables: { sku } }, { accept: "text/csv" });
    expect(refused.answer.status).toBe(406);
    expect(refused.answered).toBe(0);
  });

  it("a variable coercion error is Apollo's answer (400, BAD_USER_INPUT), handed back", async () => {
    const bad = await both({ query: bySku, variables: { sku: 12 } });
    expect(bad.answer.status).toBe(400);
    expect(JSON.parse(bad.answer.body).errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(bad).toMatchObject({ answered: 0, handedBack: 1 });
    const missing = await both({ query: bySku, variables: {} });
    expect(missing.answer.status).toBe(400);
    expect(missing.handedBack).toBe(1);
  });

  it("a field error is Apollo's answer, handed back", async () => {
    expect((await both({ query: byId, variables: { id: "1" } })).answered).toBe(0);
    expect((await both({ query: byId, variables: { id: "2" } })).answered).toBe(1);
    const bad = await both({ query: byId, variables: { id: "x1" } });
    expect(JSON.parse(bad.answer.body).errors[0]).toMatchObject({ path: ["product"], extensions: { code: "BAD_USER_INPUT" } });
    expect(bad).toMatchObject({ answered: 0, handedBack: 1 });
  });

  it("an operation over the cost limit is Apollo's refusal, handed back", async () => {
    const refused = await both({ query: page, variables: { id: categoryId, n: 1_000_000 } });
    expect(JSON.parse(refused.answer.body).errors[0].extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX", limit: "cost" });
    expect(refused).toMatchObject({ answered: 0, handedBack: 1 });
  });

  it("what the fast path leaves to Apollo: APQ hashes, a cache trace, another operation name, a batch", async () => {
    const apq = { query: bySku, variables: { sku }, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(bySku) } } };
    expect((await both(apq)).answered).toBe(0);
    expect((await both({ query: bySku, variables: { sku } }, { "x-cache-trace": "1" })).answered).toBe(0);
    const unknownName = await both({ query: bySku, variables: { sku }, operationName: "Other" });
    expect(unknownName.answered).toBe(0);
    expect(JSON.parse(unknownName.answer.body).errors).toHaveLength(1);
    expect((await both({ query: twoOperations })).answered).toBe(0);
    expect((await both([{ query: bySku, variables: { sku } }])).answered).toBe(0);
  });

  it("telemetry counts every request once, with the same labels as Apollo's", async () => {
    expect(await telemetryCounts(fast)).toEqual(await telemetryCounts(apollo));
  });
});

describe("EXECUTION_FAST_PATH with whole responses and small rate limits", () => {
  let db: TestDatabase;
  let fast: Gateway;
  let apollo: Gateway;
  let skus: string[];

  beforeAll(async () => {
    db = await createTestDatabase("fastpathresp");
    await seedGeneratedCatalog(db, { products: 40, categories: 6 });
    const env = { CACHE_STORE: "memory", RATE_LIMIT: "on", RATE_LIMIT_IP_COST: "40", TRUSTED_PROXIES: "loopback" };
    fast = await startTestGateway(db, { env });
    apollo = await startTestGateway(db, { env: { ...env, EXECUTION_FAST_PATH: "off" } });
    const found = await gqlData<{ products: { edges: { node: { sku: string } }[] } }>(apollo.url, "{ products(first: 5) { edges { node { sku } } } }", {}, { "x-forwarded-for": "10.9.9.9" });
    skus = found.products.edges.map((edge) => edge.node.sku);
  });
  afterAll(async () => {
    await fast?.stop();
    await apollo?.stop();
    await db?.drop();
  });

  const hits = (gateway: Gateway) => gateway.cache.stats.snapshot().resp?.hit ?? 0;

  it("an answer of the fast path is kept and reused as Apollo's is (ETag, Cache-Control, then a hit)", async () => {
    // A client address per request: a hit spends its answer's cost of the (small) budget too.
    let client = 0;
    const ask = async (sku: string) => {
      const from = { "x-forwarded-for": `10.0.1.${(client += 1)}` };
      const answers = [await send(fast, { query: bySku, variables: { sku } }, from), await send(apollo, { query: bySku, variables: { sku } }, from)];
      expect(answers[0]).toEqual(answers[1]);
      return answers[0];
    };
    const [first, second] = skus;
    await ask(first);
    // Executed by the fast path (the document is known) and kept, then answered from the cache.
    const executed = await ask(second);
    expect(fast.fastPath!.counters.answered).toBe(1);
    expect(executed.headers).toMatchObject({ etag: expect.stringMatching(/^"/), "cache-control": "private, no-cache" });
    const hitsBefore = [hits(fast), hits(apollo)];
    expect(await ask(second)).toEqual(executed);
    expect([hits(fast) - hitsBefore[0], hits(apollo) - hitsBefore[1]]).toEqual([1, 1]);
    expect(fast.fastPath!.counters.answered).toBe(1);
  });

  it("@private data is neither kept nor reused (private, no-store), as from Apollo", async () => {
    const from = { "x-forwarded-for": "10.0.0.2" };
    const body = { query: "query Mine($f: String!) { cacheStats { store available } autocomplete(prefix: $f, limit: 1) }" };
    for (const gateway of [fast, apollo]) await send(gateway, { ...body, variables: { f: "a" } }, from);
    const answers = [await send(fast, { ...body, variables: { f: "b" } }, from), await send(apollo, { ...body, variables: { f: "b" } }, from)];
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0].headers["cache-control"]).toBe("private, no-store");
    expect(fast.fastPath!.counters.answered).toBe(2);
  });

  it("a request handed back after its charge is charged once: the budget runs out at the same request", async () => {
    const query = "query One($id: ID!) { product(id: $id) { id } }";
    const spend = async (gateway: Gateway, ip: string) => {
      const statuses: number[] = [];
      // Different ids so whole responses never answer; every third one a field error (handed back after the charge).
      for (let i = 0; i < 60 && statuses.at(-1) !== 429; i += 1) {
        const id = i % 3 === 2 ? `x${i}` : String(i + 1);
        statuses.push((await send(gateway, { query, variables: { id } }, { "x-forwarded-for": ip })).status);
      }
      return statuses;
    };
    const before = fast.fastPath!.counters.handedBack;
    const statuses = await spend(fast, "10.0.0.3");
    expect(statuses).toEqual(await spend(apollo, "10.0.0.3"));
    expect(statuses.at(-1)).toBe(429);
    expect(fast.fastPath!.counters.handedBack - before).toBeGreaterThan(1);
    // The refusal itself is Apollo's (429, Retry-After) on both; the seconds to wait may differ by one.
    for (const gateway of [fast, apollo]) {
      const refused = await send(gateway, { query, variables: { id: "1" } }, { "x-forwarded-for": "10.0.0.3" });
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body).errors[0].extensions).toMatchObject({ code: "RATE_LIMITED", limit: "ip" });
      expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
    }
  });
});
