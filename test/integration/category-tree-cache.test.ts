import { isResilientStore } from "../../src/cache/resilient-store";
import { exactVersionKeyOf } from "../../src/cache/version-vector";
import type { Database } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { gql, gqlAs, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// The category tree is one cache entry (`cat:tree`: ids, parents, names, slugs, depths), so a tree
// query costs one store read whatever the tree's size, and every write that changes what the entry
// holds retires it. Whole responses are off: every request here is executed.
describe("category tree stored whole", () => {
  let db: Database;
  let gateway: Gateway;
  const fixture = useGateway({
    label: "tree",
    catalog: { products: 200, categories: 60 },
    redis: true,
    env: { CACHE_RESPONSES: "false", REDIS_COMMAND_TIMEOUT_MS: "3000", CACHE_CIRCUIT_COOL_DOWN_MS: "100" },
  });
  beforeAll(() => {
    ({ db, gateway } = fixture);
  });

  const tree = `{ categoryTree(maxDepth: 2) { id name slug depth children { id name slug depth children { id name slug depth } } } }`;
  type Node = { id: string; name: string; slug: string; depth: number; children?: Node[] };
  const flatten = (nodes: Node[]): Node[] => nodes.flatMap((node) => [node, ...flatten(node.children ?? [])]);
  const readTree = async () => flatten((await gqlData<{ categoryTree: Node[] }>(gateway.url, tree)).categoryTree);
  const traced = async (query: string) => {
    const before = db.counter.statements;
    const response = await gql(gateway.url, query, {}, { "x-cache-trace": "1" });
    expect(response.errors).toBeUndefined();
    return { sql: db.counter.statements - before, cache: (response.extensions as any).cache, data: response.data as any };
  };
  const write = async (query: string, variables: Record<string, unknown>) => {
    const response = await gqlAs(gateway, ["editor"], query, variables);
    if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
    return response.data as Record<string, any>;
  };
  const create = (name: string, parentId: string | null) =>
    write(`mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }`, { input: { name, parentId } }).then(
      (data) => data.createCategory.id as string,
    );

  // One round trip, one entry, no SQL: the same before and after the tree grows. After a change the
  // first read loads the tree and the next reads its entry once (the process's copy takes the entry's
  // text, what a kept whole response is validated by); from then on a read is one MGET of two counters.
  const expectOneEntry = async () => {
    await readTree();
    await readTree();
    const warm = await traced(tree);
    expect(warm.sql).toBe(0);
    expect(warm.cache.roundTrips).toBe(1);
    expect(warm.cache.families).toEqual({ "cat:tree": { hits: 1, misses: 0, roundTrips: 1 } });
    return flatten(warm.data.categoryTree).length;
  };

  it("answers the tree from one entry in one round trip, whatever its size", async () => {
    const [{ count }] = await db.sql.query<{ count: number }>(`SELECT count(*)::int AS count FROM categories WHERE depth <= 2`);
    expect(await expectOneEntry()).toBe(count);
    const [root] = await readTree();
    for (let n = 0; n < 30; n++) await create(`Tree Growth ${n}`, root.id);
    expect(await expectOneEntry()).toBe(count + 30);
  });

  it("matches the database: names, slugs, depths and sibling order", async () => {
    const rows = await db.sql.query<{ id: number; parent_id: number | null; name: string; slug: string; depth: number }>(
      `SELECT id, parent_id, name, slug, depth FROM categories WHERE depth <= 2 ORDER BY name, id`,
    );
    const expected = (parentId: number | null): Node[] =>
      rows
        .filter((row) => row.parent_id === parentId)
        .map((row) => ({ id: String(row.id), name: row.name, slug: row.slug, depth: row.depth, ...(row.depth < 2 ? { children: expected(row.id) } : {}) }));
    expect((await gqlData(gateway.url, tree)).categoryTree).toEqual(expected(null));
  });

  it("loads full rows only for what asks for them", async () => {
    const roots = `{ categoryTree(maxDepth: 0) { id category { id createdAt } } }`;
    await gqlData(gateway.url, roots);
    const { cache, data } = await traced(roots);
    expect(cache.families["cat:tree"]).toEqual({ hits: 1, misses: 0, roundTrips: 1 });
    expect(cache.families.cat).toEqual({ hits: data.categoryTree.length, misses: 0, roundTrips: 1 });
  });

  it("shows a rename, slug change, move, create and delete in the next tree read", async () => {
    const [root, other] = (await gqlData<{ categoryTree: Node[] }>(gateway.url, `{ categoryTree(maxDepth: 0) { id name slug depth } }`)).categoryTree;
    const id = await create("Tree Subject", root.id);
    const find = async () => (await readTree()).find((node) => node.id === id);
    expect(await find()).toMatchObject({ name: "Tree Subject", depth: 1 });

    await write(`mutation($id: ID!) { updateCategory(id: $id, input: { name: "Tree Renamed" }) { id } }`, { id });
    expect((await find())?.name).toBe("Tree Renamed");

    await write(`mutation($id: ID!) { updateCategory(id: $id, input: { slug: "tree-new-slug" }) { id } }`, { id });
    expect((await find())?.slug).toBe("tree-new-slug");

    await write(`mutation($id: ID!, $to: ID!) { updateCategory(id: $id, input: { parentId: $to }) { id } }`, { id, to: other.id });
    const movedUnder = (await gqlData(gateway.url, tree)).categoryTree.find((node: Node) => node.id === other.id);
    expect(movedUnder.children.map((node: Node) => node.id)).toContain(id);
    expect(await find()).toMatchObject({ depth: 1 });

    await write(`mutation($id: ID!) { updateCategory(id: $id, input: { parentId: null }) { id } }`, { id });
    expect(await find()).toMatchObject({ depth: 0 });

    await write(`mutation($id: ID!) { deleteCategory(id: $id) { deleted } }`, { id });
    expect(await find()).toBeUndefined();
  });

  // Tree-only queries are answered from the decoded tree's memo once executed (src/plugins/tree-answers.ts):
  // one answer per document and variables, errors never kept, a query that also loads rows executed.
  it("keeps tree-only answers per document and variables, never an error, and executes the rest", async () => {
    const byDepth = `query($d: Int) { categoryTree(maxDepth: $d) { id children { id children { id } } } }`;
    const count = async (d: number) => flatten((await gqlData<{ categoryTree: Node[] }>(gateway.url, byDepth, { d })).categoryTree).length;
    const [shallow, deep] = [await count(0), await count(2)];
    expect(deep).toBeGreaterThan(shallow);
    for (let i = 0; i < 2; i++) {
      expect([await count(0), await count(2)]).toEqual([shallow, deep]);
      const refused = await gql(gateway.url, byDepth, { d: 11 });
      expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    const withRows = `{ categoryTree(maxDepth: 0) { id category { id name } } }`;
    for (let i = 0; i < 2; i++) {
      const { cache, data } = await traced(withRows);
      expect(data.categoryTree.every((node: any) => node.category.id === node.id)).toBe(true);
      expect(cache.families.cat.hits + cache.families.cat.misses).toBe(data.categoryTree.length);
    }
  });

  // The decoded tree is kept per process (src/cache/process-memo.ts): a warm read costs one MGET of
  // two counters (the entry's version counter and `gen:cat:tree`), never a GET of the whole entry.
  describe("the process's decoded copy", () => {
    const treeKey = () => gateway.keys.categoryTreeKey();
    const versionKey = () => exactVersionKeyOf(gateway.keys, treeKey());
    const rootNames = async () =>
      (await gqlData<{ categoryTree: Node[] }>(gateway.url, `{ categoryTree(maxDepth: 0) { id name } }`)).categoryTree.map((node) => node.name);

    it("is served while its counters hold, whatever the entry now holds, and read again once one moves", async () => {
      const names = await rootNames();
      await rootNames(); // warm: the copy is kept with the counters read before the entry
      // Rewrite the entry behind the gateway's back, without moving a counter: the copy is still served,
      // so the entry is not read.
      const entry = (await fixture.redis.get(treeKey()))!;
      expect(entry).toContain(JSON.stringify(names[0]));
      await fixture.redis.set(treeKey(), entry.split(JSON.stringify(names[0])).join(JSON.stringify("Rewritten Root")), "KEEPTTL");
      expect(await rootNames()).toEqual(names);
      // One INCR of the entry's version counter (what every invalidation that deletes the entry does): read again.
      await fixture.redis.incr(versionKey());
      expect(await rootNames()).toContain("Rewritten Root");
      // The family's generation (invalidateCache) retires the copy and the entry's stamp: the database answers.
      await fixture.redis.incr(gateway.keys.generationKey("cat:tree"));
      expect(await rootNames()).toEqual(names);
    });

    it("is never served while the store cannot be read (down or fenced): the database answers", async () => {
      const store = gateway.cache.store!;
      if (!isResilientStore(store)) throw new Error("the Redis store is expected behind the resilient wrapper");
      const [first] = (await gqlData<{ categoryTree: Node[] }>(gateway.url, `{ categoryTree(maxDepth: 0) { id name } }`)).categoryTree;
      await rootNames();
      // A change the cache is not told of, seen only by a read that goes to the database.
      await db.sql.query(`UPDATE categories SET name = $2 WHERE id = $1`, [Number(first.id), "Renamed Behind The Cache"]);
      try {
        store.fence("test", "the test cut the store off");
        expect(await rootNames()).toContain("Renamed Behind The Cache");
      } finally {
        store.fence("test", null);
        await db.sql.query(`UPDATE categories SET name = $2 WHERE id = $1`, [Number(first.id), first.name]);
      }
    });
  });
});
