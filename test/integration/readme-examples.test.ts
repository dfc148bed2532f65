import { readFileSync } from "node:fs";
import path from "node:path";
import { Kind, parse, print, type OperationDefinitionNode } from "graphql";
import { loadConfig } from "../../src/config";
import { seedIfEmpty } from "../../src/data/seed/seed-on-start";
import type { Gateway } from "../../src/server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { bearer, gql, startTestGateway } from "../helpers/gateway";

// Every operation of every ```graphql block in README.md, run over HTTP against the catalog a first
// `npm start` seeds (the generated default), must answer with data: a README example that answers
// null or nothing is a broken first impression.
const readme = readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
const operations: OperationDefinitionNode[] = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap(([, block]) =>
  parse(block).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION),
);
const titleOf = (operation: OperationDefinitionNode) => print(operation).replace(/\s+/g, " ").slice(0, 90);

/** Paths in an answer that are empty: a null or empty top-level field, an empty page, a zero total. */
function emptyParts(data: Record<string, unknown> | null | undefined): string[] {
  if (!data) return ["data"];
  return Object.entries(data).flatMap(([field, value]) =>
    value === null || (Array.isArray(value) && value.length === 0) ? [field] : emptyPages(value, field),
  );
}

function emptyPages(value: unknown, at: string): string[] {
  if (value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => emptyPages(item, `${at}[${i}]`));
  return Object.entries(value).flatMap(([key, inner]) => {
    const where = `${at}.${key}`;
    if (key === "totalCount" && inner === 0) return [where];
    if ((key === "edges" || key === "hits") && Array.isArray(inner) && inner.length === 0) return [where];
    return emptyPages(inner, where);
  });
}

describe("README examples on the default generated catalog", () => {
  let db: TestDatabase;
  let gateway: Gateway;

  beforeAll(async () => {
    db = await createTestDatabase("readme");
    // What a first `npm start` seeds with no configuration (SEED_PRODUCTS / SEED_CATEGORIES defaults).
    expect(await seedIfEmpty(db, loadConfig({}).seed, () => {})).toBe("generated");
    gateway = await startTestGateway(db, { env: { CACHE_STORE: "memory" } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.drop();
  });

  it("finds the README's example operations", () => {
    expect(operations.length).toBeGreaterThanOrEqual(9);
  });

  it.each(operations.map((operation) => [titleOf(operation), operation] as const))("answers %s", async (_, operation) => {
    const headers = operation.operation === "mutation" ? await bearer(gateway, "editor") : {};
    const response = await gql(gateway.url, print(operation), {}, headers);
    expect(response.errors).toBeUndefined();
    expect(emptyParts(response.data)).toEqual([]);
  });

  it("answers the search example with iPhone 7 cases, none of them clear", async () => {
    const search = operations.find((operation) => print(operation).includes("iphone 7 case -clear"));
    const response = await gql<{ search: { hits: { product: { name: string } }[] } }>(gateway.url, print(search!));
    const names = response.data!.search.hits.map((hit) => hit.product.name);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(name).toMatch(/ Case for iPhone 7\b/);
      expect(name).not.toMatch(/clear/i);
    }
  });

  it("answers the SKU example with the product the generator gives that SKU", async () => {
    const response = await gql<{ productBySku: { name: string } | null }>(gateway.url, `{ productBySku(sku: "4984700") { name } }`);
    expect(response.data?.productBySku?.name).toEqual(expect.any(String));
  });
});
