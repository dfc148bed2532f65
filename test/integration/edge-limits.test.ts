import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { Kind, parse, print } from "graphql";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { bearer, gql, startTestGateway, type GraphQLResponse } from "../helpers/gateway";
import { seedGeneratedCatalog } from "../helpers/shared-data";
import type { Gateway } from "../../src/server";

const root = path.resolve(__dirname, "../..");

/** Every operation of the README's ```graphql blocks and of examples/operations/*.graphql, one document each. */
function documentedOperations(): { source: string; query: string; mutation: boolean }[] {
  const blocks: [string, string][] = [];
  for (const match of readFileSync(path.join(root, "README.md"), "utf8").matchAll(/```graphql\n([\s\S]*?)```/g)) blocks.push(["README.md", match[1]]);
  const examples = path.join(root, "examples/operations");
  for (const file of readdirSync(examples).filter((name) => name.endsWith(".graphql"))) {
    blocks.push([`examples/operations/${file}`, readFileSync(path.join(examples, file), "utf8")]);
  }
  return blocks.flatMap(([source, text]) =>
    parse(text).definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION ? [{ source, query: print(definition), mutation: definition.operation === "mutation" }] : [],
    ),
  );
}

const edgeCodes = ["QUERY_TOO_COMPLEX", "OPERATION_NOT_SUPPORTED", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "INTERNAL_SERVER_ERROR"];

// Operation limits over real HTTP: each limit refuses with QUERY_TOO_COMPLEX naming it, before any
// SQL runs (no cache, so an executed query would read PostgreSQL); the documented queries pass.
describe("the edge: operation limits", () => {
  let db: TestDatabase;
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase("edgelim");
    await seedGeneratedCatalog(db, { products: 300, categories: 30 });
    gateway = await startTestGateway(db);
    url = gateway.url;
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.drop();
  });

  /** The answer to `query`, and how many SQL statements it ran. */
  async function run(query: string, variables: Record<string, unknown> = {}): Promise<{ answer: GraphQLResponse; statements: number }> {
    const before = db.counter.statements;
    const answer = await gql(url, query, variables);
    return { answer, statements: db.counter.statements - before };
  }

  function expectRefused(answer: GraphQLResponse, limit: string, max: number) {
    expect(answer.data).toBeUndefined();
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors?.[0].extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX", limit, max });
    expect(answer.errors?.[0].message).toContain(String(max));
  }

  const nested = `{ products(first: 100) { edges { node { category { products(first: 100) { edges { node { category {
    products(first: 100) { edges { node { name } } } } } } } } } } } }`;
  const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: products(first: 100) { edges { node { name } } }`).join(" ")} }`;
  const perNode = `category { products(first: 100) { edges { node { name price } } } }`;
  const tree = `{ categoryTree(maxDepth: 10) { ${perNode} children { ${perNode} children { ${perNode} children { ${perNode} } } } } }`;

  it("refuses the nested 100 x 100 x 100 listing by its cost, naming the cost and the limit, with no SQL", async () => {
    const { answer, statements } = await run(nested);
    expectRefused(answer, "cost", 50_000);
    expect(answer.errors?.[0].extensions?.actual).toBeGreaterThan(1_000_000);
    expect(answer.errors?.[0].message).toMatch(/Operation cost \d+ exceeds the limit of 50000/);
    expect(statements).toBe(0);
  });

  it("refuses 1,000 aliases of products(first: 100) with no SQL (the document is over the token limit first)", async () => {
    const { answer, statements } = await run(aliases);
    expectRefused(answer, "tokens", 2_000);
    expect(statements).toBe(0);
  });

  it("refuses categoryTree(maxDepth: 10) with products(first: 100) at every level by its cost, with no SQL", async () => {
    const { answer, statements } = await run(tree);
    expectRefused(answer, "cost", 50_000);
    expect(statements).toBe(0);
  });

  it("costs by the variables: the same document passes with a small page and is refused with a large one", async () => {
    const query = `query($n: Int) { products(first: $n) { edges { node { category { products(first: $n) { edges { node { category {
      products(first: $n) { edges { node { name } } } } } } } } } } } }`;
    const small = await run(query, { n: 5 });
    expect(small.answer.errors).toBeUndefined();
    const large = await run(query, { n: 100 });
    expectRefused(large.answer, "cost", 50_000);
    expect(large.statements).toBe(0);
  });

  it("refuses each limit with its name: depth, aliases, directives, tokens", async () => {
    const deep = `{ categories { ${"children { ".repeat(15)}id${" }".repeat(15)} } }`;
    expectRefused((await run(deep)).answer, "depth", 15);
    const sixteen = `{ ${Array.from({ length: 16 }, (_, i) => `c${i}: stats { productCount }`).join(" ")} }`;
    expectRefused((await run(sixteen)).answer, "aliases", 15);
    const directives = `{ ${Array.from({ length: 51 }, () => "__typename @include(if: true)").join(" ")} }`;
    expectRefused((await run(directives)).answer, "directives", 50);
    const tokens = `{ ${"__typename ".repeat(2_000)}}`;
    const refused = await run(tokens);
    expectRefused(refused.answer, "tokens", 2_000);
    expect(refused.statements).toBe(0);
  });

  it("takes its limits from the configuration", async () => {
    const strict = await startTestGateway(db, { env: { MAX_QUERY_COST: "10", MAX_QUERY_DEPTH: "3" } });
    try {
      // 1 for products, 1 for totalCount.
      expect((await gql(strict.url, `{ products(first: 5) { totalCount } }`)).errors).toBeUndefined();
      // 1 + 5 edges x (edges, cursor) = 11.
      const cost = await gql(strict.url, `{ products(first: 5) { edges { cursor } } }`);
      expectRefused(cost, "cost", 10);
      expect(cost.errors?.[0].extensions?.actual).toBe(11);
      expectRefused(await gql(strict.url, `{ products(first: 1) { edges { node { id } } } }`), "depth", 3);
    } finally {
      await strict.stop();
    }
  });

  it("lets every documented operation through (README, examples/operations)", async () => {
    const [{ sku }] = await db.sql.query<{ sku: string }>(`SELECT sku FROM products ORDER BY id LIMIT 1`);
    const [{ slug }] = await db.sql.query<{ slug: string }>(`SELECT slug FROM categories ORDER BY id LIMIT 1`);
    const editor = await bearer(gateway, "editor");
    const operations = documentedOperations();
    expect(operations.length).toBeGreaterThanOrEqual(10);
    for (const { source, query, mutation } of operations) {
      const answer = await gql(url, query, { sku, slug, maxDepth: 2, first: 20 }, mutation ? editor : {});
      const codes = (answer.errors ?? []).map((error) => error.extensions?.code);
      expect({ source, query, codes: codes.filter((code) => edgeCodes.includes(String(code))) }).toEqual({ source, query, codes: [] });
    }
  });
});
