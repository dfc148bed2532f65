import { loadConfig } from "../../src/config";
import type { VectorIndex } from "../../src/data/search/vector-index";
import { startGateway, type Gateway } from "../../src/server";
import { sleep } from "../helpers/redis-server";
import { executorEnv, gql, gqlData, synced } from "../helpers/gateway";

// The vector side failing while the gateway runs (as Qdrant going away would): HYBRID answers from
// text with a notice, VECTOR is SERVICE_UNAVAILABLE, and once the side is back the degraded answers
// are not served in place of hybrid ones. The failure is injected into the running adapter.
describe("search when the vector index fails (embedded, injected failure)", () => {
  let gateway: Gateway;
  let search: VectorIndex["search"];
  const SEARCH = `query($q: String!, $mode: SearchMode) { search(query: $q, mode: $mode, first: 5) { mode notices { code message } hits { product { id } } } }`;

  beforeAll(async () => {
    gateway = await synced(
      await startGateway(loadConfig({ ...executorEnv(), NODE_ENV: "test", PORT: "0", PGLITE_DATA_DIR: "memory://", SEED_PRODUCTS: "300", SEED_CATEGORIES: "20", SEARCH_VECTOR_RETRY_MS: "5000" })),
    );
    search = gateway.search.vectorIndex!.search;
  });
  afterAll(() => gateway?.stop());

  it("falls back to text with a notice, refuses VECTOR, and recovers after the retry delay", async () => {
    expect((await gqlData(gateway.url, SEARCH, { q: "silver" })).search.mode).toBe("HYBRID");

    gateway.search.vectorIndex!.search = async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:6333");
    };
    const degraded = await gql(gateway.url, SEARCH, { q: "graphite" });
    expect((degraded.data as any).search.mode).toBe("TEXT");
    expect((degraded.data as any).search.notices[0].message).toMatch(/full text only.*ECONNREFUSED/);
    expect(degraded.extensions?.notices).toEqual([expect.objectContaining({ code: "VECTOR_SEARCH_UNAVAILABLE", path: ["search"] })]);
    // While down, even a search cached as HYBRID before the failure is answered (and keyed) as text.
    expect((await gqlData(gateway.url, SEARCH, { q: "silver" })).search.mode).toBe("TEXT");
    const vector = await gql(gateway.url, SEARCH, { q: "graphite", mode: "VECTOR" });
    expect(vector.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(gateway.search.service.vectorState()).toBe("down");

    // Back: once the retry delay has passed (polled, not slept for: the machine may be slow), the
    // next search tries the vector side again and answers HYBRID.
    gateway.search.vectorIndex!.search = search;
    let recovered = (await gqlData(gateway.url, SEARCH, { q: "graphite" })).search;
    for (const deadline = Date.now() + 40_000; recovered.mode !== "HYBRID" && Date.now() < deadline; ) {
      await sleep(250);
      recovered = (await gqlData(gateway.url, SEARCH, { q: "graphite" })).search;
    }
    expect(recovered).toMatchObject({ mode: "HYBRID", notices: [] });
    const [product] = await gateway.db.sql.query<{ id: number; name: string }>(`SELECT id, name FROM products ORDER BY id LIMIT 1`);
    const nearest = (await gqlData(gateway.url, SEARCH, { q: product.name, mode: "VECTOR" })).search;
    expect(nearest.hits[0].product.id).toBe(String(product.id));
  });
});
