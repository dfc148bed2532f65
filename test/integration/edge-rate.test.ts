import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { buildSchema, parse } from "graphql";
import { defaultManifestPath } from "../../src/config";
import { operationCost } from "../../src/edge/operation-cost";
import { schemaPath, type Gateway } from "../../src/server";
import { bearer, startTestGateway, type GraphQLResponse } from "../helpers/gateway";
import { testRedisUrl } from "../helpers/redis-server";
import { useGateway } from "../helpers/use-gateway";

// The public edge over real HTTP and the machine's Redis: rate limits shared by two instances,
// charged by cost (a cached answer too), the failed-auth budget, the client IP from a trusted proxy
// only, trusted documents (manifest, APQ shared by instances, editors send anything), and the metrics.

/** Small budgets, so a test spends one in a few requests; each test uses client IPs of its own (X-Forwarded-For from a trusted loopback proxy). */
const rateEnv = {
  RATE_LIMIT: "on",
  RATE_LIMIT_IP_COST: "10",
  RATE_LIMIT_WRITES: "5",
  RATE_LIMIT_FAILED_AUTH: "3",
  TRUSTED_PROXIES: "loopback",
};

const fixture = useGateway({ label: "edgerate", redis: true, catalog: { products: 40, categories: 5 }, env: rateEnv });
const started: Gateway[] = [];
/** Another instance on the suite's database and Redis prefix (so it shares budgets and APQ registrations). */
async function another(env: Record<string, string>): Promise<Gateway> {
  const gateway = await startTestGateway(fixture.db, { env: { REDIS_URL: testRedisUrl, CACHE_PREFIX: fixture.prefix, ...env } });
  started.push(gateway);
  return gateway;
}
afterAll(async () => {
  await Promise.all(started.map((gateway) => gateway.stop()));
});

interface Answer extends GraphQLResponse {
  status: number;
  retryAfter: string | null;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), ...((await response.json()) as GraphQLResponse) };
}

const from = (ip: string) => ({ "x-forwarded-for": ip });
const productQuery = "query Hot($sku: String!) { productBySku(sku: $sku) { id name price } }";

function expectRateLimited(answer: Answer, limit: string) {
  expect(answer.status).toBe(429);
  expect(answer.errors?.[0].extensions).toMatchObject({ code: "RATE_LIMITED", limit });
  const retryAfter = answer.errors?.[0].extensions?.retryAfter as number;
  expect(retryAfter).toBeGreaterThan(0);
  expect(answer.retryAfter).toBe(String(retryAfter));
}

describe("rate limits", () => {
  let second: Gateway;
  let sku: string;
  beforeAll(async () => {
    second = await another(rateEnv);
    sku = (await fixture.db.sql.query<{ sku: string }>("SELECT sku FROM products ORDER BY id LIMIT 1"))[0].sku;
  });

  test("two instances spend one budget per client IP, and the spent budget answers RATE_LIMITED with retryAfter and Retry-After", async () => {
    const ip = "203.0.113.1";
    for (let i = 0; i < 10; i += 1) {
      const answer = await post(i % 2 ? second.url : fixture.url, { query: `{ __typename }` }, from(ip));
      expect(answer.errors).toBeUndefined();
    }
    expectRateLimited(await post(fixture.url, { query: `{ __typename }` }, from(ip)), "ip");
    expectRateLimited(await post(second.url, { query: `{ __typename }` }, from(ip)), "ip");
    // Another client behind the same trusted proxy has its own budget.
    expect((await post(second.url, { query: `{ __typename }` }, from("203.0.113.2"))).errors).toBeUndefined();
  });

  test("an operation spends its cost, and a cached answer spends it again", async () => {
    const cost = operationCost(buildSchema(readFileSync(schemaPath, "utf8")), parse(productQuery), { sku }, undefined, fixture.gateway.config.limits.cost);
    expect(cost).toBeGreaterThan(1);
    const served = Math.floor(10 / cost);
    expect(served).toBeGreaterThanOrEqual(2);
    // Another client's two requests leave the answer in the whole-response cache (the first fills the loaders' cache).
    for (let i = 0; i < 2; i += 1) await post(fixture.url, { query: productQuery, variables: { sku } }, from("203.0.113.30"));
    const hits = () => hitCount(fixture.url, "other");
    const hitsBefore = await hits();
    const ip = "203.0.113.3";
    for (let i = 0; i < served; i += 1) expect((await post(fixture.url, { query: productQuery, variables: { sku } }, from(ip))).errors).toBeUndefined();
    expect(await hits()).toBe(hitsBefore + served);
    expectRateLimited(await post(fixture.url, { query: productQuery, variables: { sku } }, from(ip)), "ip");
  });

  test("an operation costing more than the budget spends all of it", async () => {
    const ip = "203.0.113.4";
    const big = await post(fixture.url, { query: `{ products(first: 50) { edges { node { id name } } } }` }, from(ip));
    expect(big.errors).toBeUndefined();
    expectRateLimited(await post(fixture.url, { query: `{ __typename }` }, from(ip)), "ip");
  });

  test("a bad token spends the tighter failed-auth budget: the fourth write with a bad token is RATE_LIMITED", async () => {
    const ip = "203.0.113.5";
    const write = { query: `mutation { createCategory(input: { name: "Nope" }) { id } }` };
    for (let i = 0; i < 3; i += 1) {
      const answer = await post(i % 2 ? second.url : fixture.url, write, { ...from(ip), authorization: "Bearer not-a-token" });
      expect(answer.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    }
    expectRateLimited(await post(fixture.url, write, { ...from(ip), authorization: "Bearer not-a-token" }), "failed-auth");
    // Anonymous reads from that IP still have their cost budget.
    expect((await post(fixture.url, { query: `{ __typename }` }, from(ip))).errors).toBeUndefined();
  });

  test("writes have their own budget per token subject", async () => {
    const editor = await bearer(fixture.gateway, "editor");
    for (let i = 0; i < 5; i += 1) {
      const answer = await post(fixture.url, { query: `mutation($n: String!) { createCategory(input: { name: $n }) { id } }`, variables: { n: `Rate ${i}` } }, editor);
      expect(answer.errors).toBeUndefined();
    }
    expectRateLimited(await post(second.url, { query: `mutation { createCategory(input: { name: "Rate 6" }) { id } }` }, editor), "writes");
  });

  test("without a trusted proxy, X-Forwarded-For is ignored: the socket's address spends the budget", async () => {
    const untrusting = await another({ ...rateEnv, TRUSTED_PROXIES: "", CACHE_PREFIX: `${fixture.prefix}untrusting:` });
    for (let i = 0; i < 10; i += 1) expect((await post(untrusting.url, { query: `{ __typename }` }, from(`198.51.100.${i}`))).errors).toBeUndefined();
    expectRateLimited(await post(untrusting.url, { query: `{ __typename }` }, from("198.51.100.200")), "ip");
  });

  test("an APQ registered on one instance is served by another", async () => {
    const query = `query Registered { __typename }`;
    const sha256Hash = sha256(query);
    const ip = "203.0.113.6";
    const persistedQuery = { version: 1, sha256Hash };
    const unknown = await post(second.url, { extensions: { persistedQuery } }, from(ip));
    expect(unknown.errors?.[0].extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect((await post(fixture.url, { query, extensions: { persistedQuery } }, from(ip))).errors).toBeUndefined();
    const served = await post(second.url, { extensions: { persistedQuery } }, from(ip));
    expect(served.errors).toBeUndefined();
    expect(served.data).toEqual({ __typename: "Query" });
    expect(await fixture.redis.exists(`${fixture.prefix}{apq:${sha256Hash}}`)).toBe(1);
  });

  test("the metrics count operations by name and cache outcome, and refusals by reason", async () => {
    const metrics = await (await fetch(`${fixture.url}metrics`)).text();
    expect(metrics).toMatch(/catalog_operation_duration_seconds_count\{operation="other",cache="hit",result="ok"\} [1-9]/);
    expect(metrics).toMatch(/catalog_operation_duration_seconds_count\{operation="other",cache="hit",result="refused"\} [1-9]/);
    expect(metrics).toMatch(/catalog_operation_duration_seconds_count\{operation="anonymous",cache="miss",result="ok"\} [1-9]/);
    expect(metrics).toMatch(/catalog_operations_rejected_total\{reason="rate_limit"\} [1-9]/);
  });
});

describe("trusted documents (TRUSTED_DOCUMENTS=require)", () => {
  const manifest = JSON.parse(readFileSync(defaultManifestPath, "utf8")) as Record<string, string>;
  const [productBySkuId] = Object.entries(manifest).find(([, text]) => text.startsWith("query ProductBySku("))!;
  let strict: Gateway;
  let strictToo: Gateway;
  let sku: string;
  beforeAll(async () => {
    strict = await another({ TRUSTED_DOCUMENTS: "require" });
    strictToo = await another({ TRUSTED_DOCUMENTS: "require" });
    sku = (await fixture.db.sql.query<{ sku: string }>("SELECT sku FROM products ORDER BY id LIMIT 1"))[0].sku;
  });

  test("an anonymous caller's unknown document is refused, before the cache and on GET alike", async () => {
    const answer = await post(strict.url, { query: `{ __typename }` });
    expect(answer.status).toBe(403);
    expect(answer.errors?.[0].extensions?.code).toBe("UNTRUSTED_DOCUMENT");
    const get = await fetch(`${strict.url}?query=${encodeURIComponent("{ categoryTree { id } }")}`, { headers: { "apollo-require-preflight": "1" } });
    expect(((await get.json()) as GraphQLResponse).errors?.[0].extensions?.code).toBe("UNTRUSTED_DOCUMENT");
  });

  test("a manifest document is served by its hash (APQ form and the client preset's documentId form) and by its text", async () => {
    const sha256Hash = productBySkuId.replace(/^sha256:/, "");
    for (const body of [
      { extensions: { persistedQuery: { version: 1, sha256Hash } }, variables: { sku } },
      { documentId: productBySkuId, variables: { sku } },
      { query: manifest[productBySkuId], variables: { sku } },
    ]) {
      const answer = await post(strict.url, body);
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toMatchObject({ productBySku: { sku } });
    }
  });

  test("an editor may send any document, and registers it for anonymous callers on every instance", async () => {
    const editor = await bearer(fixture.gateway, "editor");
    const query = `query EditorOnly { categoryTree(maxDepth: 1) { id name } }`;
    const persistedQuery = { version: 1, sha256Hash: sha256(query) };
    expect((await post(strict.url, { query: `{ __typename }` }, editor)).errors).toBeUndefined();
    // An anonymous caller cannot register it.
    expect((await post(strict.url, { query, extensions: { persistedQuery } })).errors?.[0].extensions?.code).toBe("UNTRUSTED_DOCUMENT");
    expect((await post(strictToo.url, { extensions: { persistedQuery } })).errors?.[0].extensions?.code).toBe("UNTRUSTED_DOCUMENT");
    expect((await post(strict.url, { query, extensions: { persistedQuery } }, editor)).errors).toBeUndefined();
    const served = await post(strictToo.url, { extensions: { persistedQuery } });
    expect(served.errors).toBeUndefined();
    expect(served.data).toHaveProperty("categoryTree");
    // Now trusted, its text is served to anonymous callers too.
    expect((await post(strictToo.url, { query })).errors).toBeUndefined();
  });

  test("refusals of untrusted documents are counted", async () => {
    const metrics = await (await fetch(`${strict.url}metrics`)).text();
    expect(metrics).toMatch(/catalog_operations_rejected_total\{reason="untrusted_document"\} [1-9]/);
    expect(metrics).toMatch(/catalog_operation_duration_seconds_count\{operation="ProductBySku",cache="(hit|miss)",result="ok"\} [1-9]/);
  });
});

/** Whole-response cache hits served to `operation` (its telemetry label), from /metrics. */
async function hitCount(url: string, operation: string): Promise<number> {
  const metrics = await (await fetch(`${url}metrics`)).text();
  const line = new RegExp(`^catalog_operation_duration_seconds_count\\{operation="${operation}",cache="hit",result="ok"\\} (\\d+)$`, "m").exec(metrics);
  return line ? Number(line[1]) : 0;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
