import { spawnSync } from "node:child_process";
import { peers, type PeerName } from "../../bench/peers/index";
import type { RunningPeer } from "../../bench/peers/peer-settings";
import type { TestDatabase } from "../helpers/database";
import { gql } from "../helpers/gateway";
import { deleteTestKeys, testPrefix, testRedisUrl } from "../helpers/redis-server";
import { useGateway } from "../helpers/use-gateway";

// The bench's peers (bench/peers) must answer what the gateway answers, or the bench compares
// different work. Two of them cache on Redis: without one answering, the suite is skipped and says why.
const redisUp = (() => {
  const { hostname, port } = new URL(testRedisUrl);
  const probe = `require("net").connect(${Number(port || 6379)}, ${JSON.stringify(hostname)}).on("connect", () => process.exit(0)).on("error", () => process.exit(1))`;
  return spawnSync(process.execPath, ["-e", probe], { timeout: 5000 }).status === 0;
})();
if (!redisUp) console.log(`bench peer tests skipped: no Redis answers at ${testRedisUrl}`);
const describeWithRedis = redisUp ? describe : describe.skip;

const SKU_QUERY = `query($sku: String!) { productBySku(sku: $sku) { id sku name brand price stock category { id name parent { id name } } } }`;
const READS: [string, (ids: { sku: string; category: string }) => Record<string, unknown>][] = [
  [SKU_QUERY, ({ sku }) => ({ sku })],
  [`query($id: ID!) { category(id: $id) { id name slug depth children { id name slug productCount } } }`, ({ category }) => ({ id: category })],
  [
    `query($id: ID!) { products(categoryId: $id, first: 50) { totalCount edges { node { id name price category { name parent { name } } } } } }`,
    ({ category }) => ({ id: category }),
  ],
  [`{ categoryTree(maxDepth: 2) { id name children { id name } } }`, () => ({})],
];

describeWithRedis("bench peers", () => {
  const fixture = useGateway({ label: "peers", catalog: { products: 120, categories: 12 } });
  const prefix = testPrefix("peers");
  afterAll(() => deleteTestKeys(prefix));

  const start = (name: PeerName, fixedBody = "{}"): Promise<RunningPeer> =>
    peers[name]({
      port: 0,
      databaseUrl: (fixture.db as TestDatabase).url,
      redisUrl: testRedisUrl,
      cachePrefix: `${prefix}${name}:`,
      ttlSeconds: 60,
      fixedBody,
    });

  const sample = async () => {
    const [product] = await fixture.db.sql.query<{ sku: string }>(`SELECT sku FROM products ORDER BY popularity DESC, id LIMIT 1`);
    const [category] = await fixture.db.sql.query<{ id: number }>(
      `SELECT c.id FROM categories c WHERE EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id) ORDER BY c.depth, c.id LIMIT 1`,
    );
    return { sku: product.sku, category: String(category.id) };
  };

  it.each(["apollo-response-cache", "yoga-envelop", "apollo-uncached", "apollo-memory"] as const)(
    "%s answers the bench's reads as the gateway does, over HTTP",
    async (name) => {
      const ids = await sample();
      const peer = await start(name);
      try {
        for (const [query, variables] of READS) {
          const expected = await gql(fixture.url, query, variables(ids));
          expect(expected.errors).toBeUndefined();
          // Twice: the second answer comes from the peer's cache when it has one.
          expect(await gql(peer.url, query, variables(ids))).toEqual(expected);
          expect(await gql(peer.url, query, variables(ids))).toEqual(expected);
        }
      } finally {
        await peer.stop();
      }
    },
  );

  it("the fixed-body server answers its body to any request", async () => {
    const peer = await start("fixed-body", `{"data":{"ok":true}}`);
    try {
      expect(await gql(peer.url, SKU_QUERY, { sku: "x" })).toEqual({ data: { ok: true } });
    } finally {
      await peer.stop();
    }
  });
});
