import { request } from "../../examples/typed-client";
import { CategoryPageDocument, CategoryTreeDocument, ProductBySkuDocument } from "../../src/generated/client/graphql";
import type { Database } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { useGateway } from "../helpers/use-gateway";

// The example operations run through the generated typed client: `npm test` type-checks this file
// first, so an operation that no longer matches the schema fails before any request is sent.
describe("typed client from examples/operations", () => {
  let db: Database;
  let gateway: Gateway;

  const fixture = useGateway({ label: "client", catalog: { products: 200, categories: 30 } });
  beforeAll(() => {
    ({ db, gateway } = fixture);
  });

  it("runs ProductBySku, CategoryPage and CategoryTree with typed results", async () => {
    const [{ sku }] = await db.sql.query<{ sku: string }>(`SELECT sku FROM products ORDER BY id LIMIT 1`);
    const product = await request(gateway.url, ProductBySkuDocument, { sku });
    const price: number | undefined = product.productBySku?.price;
    expect(product.productBySku?.sku).toBe(sku);
    expect(typeof price).toBe("number");

    const tree = await request(gateway.url, CategoryTreeDocument, { maxDepth: 1 });
    const rootSlug: string = tree.categoryTree[0].slug;
    const page = await request(gateway.url, CategoryPageDocument, { slug: rootSlug, first: 5, orderBy: "PRICE_ASC" });
    const edges = page.categoryBySlug?.products.edges ?? [];
    expect(edges.length).toBeGreaterThan(0);
    const prices = edges.map((edge) => edge.node.price);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });
});
