import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Database } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { gqlAs, gqlData } from "../helpers/gateway";
import { ownRedis, until, type OwnRedis } from "../helpers/redis-server";
import { useGateway } from "../helpers/use-gateway";

/** A purge endpoint the test runs: it records what it is sent, and refuses while `refusing`. */
interface Receiver {
  url: string;
  purges: { tags: string[]; token: string | undefined }[];
  refused: number;
  refusing: boolean;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver = { purges: [], refused: 0, refusing: false } as unknown as Receiver;
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    if (receiver.refusing) {
      receiver.refused += 1;
      res.writeHead(503).end();
      return;
    }
    const parsed = JSON.parse(body) as { surrogate_keys: string[]; tags: string[] };
    receiver.purges.push({ tags: parsed.surrogate_keys, token: req.headers["fastly-key"] as string | undefined });
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/purge`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}

/**
 * The CDN purge hook (issue #11 item 4) against a local receiver: every write's footprint arrives
 * as the surrogate keys it retires (the tags of src/cache/tags.ts), after the invalidation was
 * applied to Redis, and, like an invalidation, a purge that could not be sent stays in the outbox
 * and arrives once it can.
 */
describe("the CDN purge hook", () => {
  let db: Database;
  let gateway: Gateway;
  let redis: OwnRedis;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    redis = await ownRedis();
    await redis.start();
  });
  const fixture = useGateway({
    label: "purge",
    catalog: { products: 60, categories: 8 },
    env: () => ({
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: "100",
      OUTBOX_REPLAY_INTERVAL_MS: "200",
      CDN_PURGE_URL: receiver.url,
      CDN_PURGE_TOKEN: "purge-secret",
      CDN_PURGE_TOKEN_HEADER: "Fastly-Key",
    }),
  });
  beforeAll(() => {
    ({ db, gateway } = fixture);
  });
  afterAll(async () => {
    await redis?.dispose();
    await receiver?.close();
  });

  // The two states of the outbox: invalidations not applied yet, purges not sent yet.
  const pending = async () => {
    const [row] = await db.sql.query<{ invalidations: string; purges: string }>(
      `SELECT count(*) FILTER (WHERE applied_at IS NULL) AS invalidations, count(*) FILTER (WHERE purge_pending) AS purges FROM cache_outbox`,
    );
    return { invalidations: Number(row.invalidations), purges: Number(row.purges) };
  };
  const nothingPending = async () => (await pending()).purges + (await pending()).invalidations === 0;
  const reprice = (id: number, price: number) =>
    gqlAs(gateway, ["editor"], `mutation($id: ID!, $price: Float!) { updateProduct(id: $id, input: { price: $price }) { price } }`, { id: String(id), price });
  // The tags a price change of `product` in `path` purges (src/cache/tags.ts: the names of the version
  // counters it moves, which responses carry in Surrogate-Key): its row (not its SKU lookup, which
  // holds the id), the price aspect of its chain.
  const priceTags = (product: { id: number; sku: string; path: string }) => [
    `=prod:${product.id}`,
    ...[...product.path.split("/").filter(Boolean), "all"].map((id) => `=gen:prods:cat:${id}:price`),
    "=gen:search:price",
    "=gen:stats:price",
  ];
  const productAt = async (offset: number) =>
    (await db.sql.query<{ id: number; sku: string; path: string }>(
      `SELECT p.id, p.sku, c.path FROM products p JOIN categories c ON c.id = p.category_id ORDER BY p.id OFFSET $1 LIMIT 1`,
      [offset],
    ))[0];

  it("receives the footprint's tags after a write, with the token header", async () => {
    expect(await until(async () => (await gqlData(gateway.url, `{ cacheStats { available } }`)).cacheStats.available, 10_000)).toBe(true);
    const product = await productAt(0);
    receiver.purges.length = 0;
    expect((await reprice(product.id, 12.34)).data?.updateProduct).toEqual({ price: 12.34 });
    // The write waits for its purge: it has arrived when the mutation answers.
    expect(receiver.purges).toHaveLength(1);
    expect(receiver.purges[0].token).toBe("purge-secret");
    expect(receiver.purges[0].tags).toEqual(expect.arrayContaining(priceTags(product)));
    expect(receiver.purges[0].tags).not.toContain("=gen:prods:cat:all"); // membership did not change
    // The row's mark, which the write does not wait for (outbox.ts `apply`).
    expect(await until(async () => (await pending()).invalidations === 0, 5_000)).toBe(true);
    expect(await pending()).toEqual({ invalidations: 0, purges: 0 });
  });

  it("sends nothing while Redis is down during the write, and the tags once the outbox is replayed", async () => {
    const product = await productAt(1);
    receiver.purges.length = 0;
    redis.freeze();
    expect((await reprice(product.id, 23.45)).data?.updateProduct).toEqual({ price: 23.45 });
    // Invalidation and purge are both pending; the purge is not sent before the invalidation.
    expect(await pending()).toEqual({ invalidations: 1, purges: 1 });
    // Replays run every 200 ms meanwhile; none may send the purge while its invalidation waits.
    expect(await until(() => receiver.purges.length > 0, 1000)).toBe(false);

    redis.thaw();
    expect(await until(async () => receiver.purges.length > 0, 15_000)).toBe(true);
    expect(receiver.purges.flatMap((purge) => purge.tags)).toEqual(expect.arrayContaining(priceTags(product)));
    expect(await until(nothingPending, 5_000)).toBe(true);
  });

  it("keeps a refused purge pending and sends it again until the endpoint accepts it", async () => {
    const product = await productAt(2);
    receiver.purges.length = 0;
    receiver.refusing = true;
    expect((await reprice(product.id, 34.56)).data?.updateProduct).toEqual({ price: 34.56 });
    expect(await until(async () => (await pending()).invalidations === 0, 5_000)).toBe(true);
    expect(await pending()).toEqual({ invalidations: 0, purges: 1 }); // the invalidation was applied; the purge waits
    expect(await until(() => receiver.refused >= 2, 10_000)).toBe(true); // retried by the replay
    receiver.refusing = false;
    expect(await until(async () => receiver.purges.length > 0, 10_000)).toBe(true);
    expect(receiver.purges[0].tags).toEqual(expect.arrayContaining(priceTags(product)));
    expect(await until(nothingPending, 5_000)).toBe(true);
  });
});
