import { createHash } from "node:crypto";
import type { Gateway } from "../../src/server";
import type { Database } from "../../src/data/database";
import { gqlAs, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// HTTP caching of whole responses, over real HTTP on the real Redis: GET with Apollo's CSRF
// prevention, strong ETags and 304 without the body, and the Cache-Control a CDN may rely on.

const byId = `query($id: ID!) { product(id: $id) { name price } }`;
const preflight = { "apollo-require-preflight": "true" };

function getUrl(url: string, params: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) search.set(name, typeof value === "string" ? value : JSON.stringify(value));
  return `${url}?${search}`;
}

const post = (url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query, variables }) });

// Waits until the seed's invalidations, replayed in the background, have all landed.
async function outboxDrained(db: Database): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const [{ pending }] = await db.sql.query<{ pending: number }>(`SELECT count(*)::int AS pending FROM cache_outbox WHERE applied_at IS NULL`);
    if (pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("HTTP caching of whole responses", () => {
  let db: Database;
  let gateway: Gateway;
  const fixture = useGateway({ label: "resphttp", catalog: { products: 40, categories: 8 }, redis: true });
  beforeAll(async () => {
    ({ db, gateway } = fixture);
    await outboxDrained(db);
  });
  const served = () => gateway.cache.stats.snapshot().resp?.hit ?? 0;
  const productId = async (offset: number) =>
    String((await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id LIMIT 1 OFFSET $1`, [offset]))[0].id);

  it("answers GET queries with a strong ETag and private, no-cache; 304 without the body when the client holds it", async () => {
    const url = getUrl(gateway.url, { query: byId, variables: { id: await productId(0) } });
    const first = await fetch(url, { headers: preflight });
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    expect(first.headers.get("surrogate-key")).toBeNull();
    const body = await first.text();
    expect(etag).toBe(`"${createHash("sha1").update(body).digest("base64url")}"`);

    // Executed (and kept), then answered from the cache: the same ETag, and 304 both times.
    for (let i = 0; i < 3; i += 1) {
      const hits = served();
      const again = await fetch(url, { headers: { ...preflight, "if-none-match": etag! } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("etag")).toBe(etag);
      expect(again.headers.get("cache-control")).toBe("private, no-cache");
      if (i === 2) expect(served()).toBe(hits + 1);
    }
    // Another ETag (or a weak form of this one) is compared as RFC 9110 says.
    expect((await fetch(url, { headers: { ...preflight, "if-none-match": `"other", W/${etag}` } })).status).toBe(304);
    const other = await fetch(url, { headers: { ...preflight, "if-none-match": `"other"` } });
    expect(other.status).toBe(200);
    expect(await other.text()).toBe(body);
  });

  it("answers 304 over POST too, and a full answer with a new ETag once a write changed it", async () => {
    const id = await productId(1);
    const first = await post(gateway.url, byId, { id });
    const etag = first.headers.get("etag")!;
    expect(etag).toBeTruthy();
    const kept = await post(gateway.url, byId, { id }, { "if-none-match": etag });
    expect(kept.status).toBe(304);
    const hits = served();
    expect((await post(gateway.url, byId, { id }, { "if-none-match": etag })).status).toBe(304);
    expect(served()).toBe(hits + 1);

    await gqlAs(gateway, ["editor"], `mutation($id: ID!) { updateProduct(id: $id, input: { price: 4321.5 }) { id } }`, { id });
    const changed = await post(gateway.url, byId, { id }, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(((await changed.json()) as any).data.product.price).toBe(4321.5);
  });

  it("shares entries between GET and POST, and between plain and persisted queries", async () => {
    const id = await productId(2);
    await gqlData(gateway.url, byId, { id });
    await gqlData(gateway.url, byId, { id }); // kept
    const hits = served();
    const viaGet = await fetch(getUrl(gateway.url, { query: byId, variables: { id } }), { headers: preflight });
    expect(viaGet.status).toBe(200);
    expect(served()).toBe(hits + 1);

    const sha256Hash = createHash("sha256").update(byId).digest("hex");
    const persisted = { persistedQuery: { version: 1, sha256Hash } };
    // The client registers the query (Apollo's APQ), then sends only its hash.
    const registered = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: byId, variables: { id }, extensions: persisted }),
    });
    expect(registered.status).toBe(200);
    const byHash = await fetch(getUrl(gateway.url, { variables: { id }, extensions: persisted }), { headers: preflight });
    expect(byHash.status).toBe(200);
    expect(((await byHash.json()) as any).data.product).toEqual(((await viaGet.json()) as any).data.product);
    // A hash sent with another query's text is not the query it names: never answered from the cache.
    const before = served();
    const mismatched = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ categories { id } }`, variables: { id }, extensions: persisted }),
    });
    expect(((await mismatched.json()) as any).errors).toBeDefined();
    expect(served()).toBe(before);
  });

  it("keeps Apollo's CSRF prevention: a GET without a preflight header is refused, even when its answer is kept", async () => {
    const url = getUrl(gateway.url, { query: byId, variables: { id: await productId(3) } });
    await fetch(url, { headers: preflight });
    await fetch(url, { headers: preflight }); // kept
    const hits = served();
    const refused = await fetch(url);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/CSRF/i);
    const plain = await fetch(url, { headers: { "content-type": "text/plain" } });
    expect(plain.status).toBe(400);
    expect(served()).toBe(hits);
  });

  it("sends no-store for what must not be reused: mutations and errors", async () => {
    const id = await productId(4);
    const mutation = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `mutation($id: ID!) { updateProduct(id: $id, input: { stock: 1 }) { id } }`, variables: { id } }),
    });
    expect(mutation.headers.get("cache-control")).toBe("private, no-store");
    const failed = await post(gateway.url, `{ products(first: -1) { totalCount } }`, {});
    expect(failed.headers.get("cache-control")).toBe("private, no-store");
    expect(failed.headers.get("etag")).toBeNull();
  });
});

describe("HTTP caching with a CDN purge target", () => {
  let db: Database;
  let gateway: Gateway;
  const fixture = useGateway({
    label: "respcdn",
    catalog: { products: 20, categories: 5 },
    redis: true,
    env: { CDN_PURGE_URL: "http://127.0.0.1:9/purge", CDN_MAX_AGE_SECONDS: "120" },
  });
  beforeAll(async () => {
    ({ db, gateway } = fixture);
    await outboxDrained(db);
  });

  it("sends kept answers public with s-maxage, and the tags of what they read as Surrogate-Key and Cache-Tag", async () => {
    const [product] = await db.sql.query<{ id: number; category_id: number }>(`SELECT id, category_id FROM products ORDER BY id LIMIT 1`);
    const variables = { id: String(product.id) };
    // Read from the database and stored by its guarded fills: kept at once (read-through.ts, CacheTrace.complete).
    const kept = await post(gateway.url, `query($id: ID!) { product(id: $id) { name category { name } } }`, variables);
    expect(kept.headers.get("cache-control")).toBe("public, max-age=0, must-revalidate, s-maxage=120");
    const tags = kept.headers.get("surrogate-key")!.split(" ");
    expect(tags).toEqual(expect.arrayContaining([`=prod:${product.id}`, `=cat:${product.category_id}`]));
    expect(kept.headers.get("cache-tag")).toBe(tags.join(","));
    // A hit names the same tags.
    const hit = await post(gateway.url, `query($id: ID!) { product(id: $id) { name category { name } } }`, variables);
    expect(hit.headers.get("surrogate-key")).toBe(tags.join(" "));
    expect(hit.headers.get("etag")).toBe(kept.headers.get("etag"));
  });
});
