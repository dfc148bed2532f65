import { loadConfig } from "../../src/config";
import { startGateway, type Gateway } from "../../src/server";
import { executorEnv, gql, gqlData, synced } from "../helpers/gateway";

// The embedded default: no DATABASE_URL, so PGlite (in memory here), migrated and seeded on start
// with the generated catalog, queried over HTTP like `npm start` would be.
describe("embedded mode (PGlite)", () => {
  let gateway: Gateway;

  beforeAll(async () => {
    const config = loadConfig({ ...executorEnv(), NODE_ENV: "test", PORT: "0", PGLITE_DATA_DIR: "memory://", SEED_PRODUCTS: "300", SEED_CATEGORIES: "30" });
    gateway = await synced(await startGateway(config));
  });
  afterAll(() => gateway?.stop());

  it("migrates, seeds and answers over HTTP", async () => {
    expect(gateway.db.kind).toBe("pglite");
    const data = await gqlData(gateway.url, `{
      categoryTree(maxDepth: 0) { id category { productCount } }
      products(first: 5, orderBy: PRICE_DESC) { totalCount edges { node { sku price category { ancestors { id } } } } }
    }`);
    expect(data.products.totalCount).toBe(300);
    expect(data.products.edges).toHaveLength(5);
    const total = data.categoryTree.reduce((sum: number, root: { category: { productCount: number } }) => sum + root.category.productCount, 0);
    expect(total).toBe(300);
  });

  it("serves introspection for Apollo Sandbox and codes its errors", async () => {
    const schema = await gqlData(gateway.url, `{ __schema { queryType { name } } }`);
    expect(schema.__schema.queryType.name).toBe("Query");
    const response = await gql(gateway.url, `{ products(first: 1000) { totalCount } }`);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
  });
});
