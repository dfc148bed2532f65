import { CatalogRequestError, createCatalogClient, request } from "../../examples/typed-client";
import {
  AutocompleteDocument,
  CategoryPageDocument,
  CategoryTreeDocument,
  ProductBySkuDocument,
  SearchProductsDocument,
  UpdatePriceAndStockDocument,
} from "../../src/generated/client/graphql";
import type { Database } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { bearer } from "../helpers/gateway";
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

  it("searches and completes: hits, facets and completions come back typed", async () => {
    const client = createCatalogClient({ url: gateway.url });
    const [{ sku, brand }] = await db.sql.query<{ sku: string; brand: string }>(`SELECT sku, brand FROM products ORDER BY popularity DESC, id LIMIT 1`);
    const { search } = await client.request(SearchProductsDocument, { query: sku, first: 5, mode: "TEXT" });
    expect(search.totalCount).toBeGreaterThan(0);
    expect(search.hits[0].product.sku).toBe(sku);
    expect(search.facets.map((facet) => facet.field).sort()).toEqual(["brand", "price"]);
    const { autocomplete } = await client.request(AutocompleteDocument, { prefix: brand.slice(0, 3).toLowerCase(), limit: 5 });
    expect(autocomplete.length).toBeGreaterThan(0);
  });

  it("writes with a token, and keeps the error's code and field when refused", async () => {
    const [{ id }] = await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id LIMIT 1`);
    const anonymous = createCatalogClient({ url: gateway.url });
    const refused = await anonymous.request(UpdatePriceAndStockDocument, { id: String(id), stock: 1 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CatalogRequestError);
    expect((refused as CatalogRequestError).code).toBe("UNAUTHENTICATED");

    const token = (await bearer(gateway, "editor")).authorization.replace(/^Bearer /, "");
    const editor = createCatalogClient({ url: gateway.url, token });
    const invalid = await editor.request(UpdatePriceAndStockDocument, { id: String(id), price: -1 }).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ code: "BAD_USER_INPUT", field: "input.price" });
    expect((invalid as CatalogRequestError).errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.price" });

    const missing = await editor.request(UpdatePriceAndStockDocument, { id: "999999", stock: 1 }).catch((error: unknown) => error);
    expect((missing as CatalogRequestError).code).toBe("NOT_FOUND");

    const { updateProduct } = await editor.request(UpdatePriceAndStockDocument, { id: String(id), price: 19.99, stock: 7 });
    expect(updateProduct).toMatchObject({ id: String(id), price: 19.99, stock: 7 });
  });
});
