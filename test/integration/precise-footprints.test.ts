import type { Database } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { gqlAs, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

/**
 * Footprints as precise as the data (issue #11 item 2), over HTTP with the real Redis cache: a
 * write retires a cached answer only if the fields it changed can change its ids, order,
 * membership or value. Each test caches the views first, writes, then reads them again: the kept
 * ones are answered with no SQL at all, the retired ones are read again and are fresh.
 */
describe("precise footprints: a write retires only what reads the fields it changed", () => {
  let db: Database;
  let gateway: Gateway;
  const setup = useGateway({ label: "footprints", catalog: { products: 600, categories: 40 }, redis: true });
  beforeAll(() => {
    ({ db, gateway } = setup);
  });

  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
  const read = <T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}) => gqlData<T>(gateway.url, query, variables);
  const write = async (query: string, variables: Record<string, unknown>) => {
    const response = await gqlAs(gateway, ["editor"], query, variables);
    if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
    return response.data as Record<string, any>;
  };
  const updateProduct = (id: number, input: Record<string, unknown>) =>
    write(`mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }`, { id: String(id), input });
  // SQL statements a read costs (0: answered from the cache alone).
  const statementsOf = async (work: () => Promise<unknown>) => {
    const before = db.counter.statements;
    const result = await work();
    return { statements: db.counter.statements - before, result: result as any };
  };

  const page = `query($id: ID!, $order: ProductOrder!, $filter: ProductFilter) {
    category(id: $id) { products(first: 3, orderBy: $order, filter: $filter) { totalCount edges { node { id name price stock } } } }
  }`;
  const pageOf = (id: number, order: string, filter?: Record<string, unknown>) => read(page, { id: String(id), order, filter });
  const idsOf = (view: any): number[] => view.category.products.edges.map((edge: any) => Number(edge.node.id));

  // A category with at least 6 products, and one of them that is on neither the first name page
  // nor the first price page (so its own row is not part of those answers).
  async function productOffBothPages() {
    const [category] = await sql<{ id: number }>(`
      SELECT category_id AS id FROM products WHERE stock > 0 GROUP BY category_id HAVING count(*) >= 8 ORDER BY category_id LIMIT 1`);
    const byName = idsOf(await pageOf(category.id, "NAME_ASC"));
    const byPrice = idsOf(await pageOf(category.id, "PRICE_ASC"));
    const [product] = await sql<{ id: number; price: string }>(
      `SELECT id, price::text FROM products WHERE category_id = $1 AND stock > 0 AND NOT (id = ANY($2::int[])) ORDER BY id LIMIT 1`,
      [category.id, [...byName, ...byPrice]],
    );
    return { category: category.id, product: product.id };
  }

  it("a price change keeps a name-ordered page cached (no SQL) and retires a price-ordered one", async () => {
    const { category, product } = await productOffBothPages();
    const byName = await pageOf(category, "NAME_ASC");
    await pageOf(category, "PRICE_ASC");
    await updateProduct(product, { price: 0.01 });

    const name = await statementsOf(() => pageOf(category, "NAME_ASC"));
    expect(name.statements).toBe(0);
    expect(name.result).toEqual(byName);

    const price = await statementsOf(() => pageOf(category, "PRICE_ASC"));
    expect(price.statements).toBeGreaterThan(0);
    expect(idsOf(price.result)[0]).toBe(product); // now the cheapest: the retired page was read again
  });

  it("a stock change keeps a price-ordered page cached and retires an in-stock page", async () => {
    const { category, product } = await productOffBothPages();
    const byPrice = await pageOf(category, "PRICE_DESC");
    const inStock = await pageOf(category, "NAME_ASC", { inStock: true });
    await updateProduct(product, { stock: 0 });

    const price = await statementsOf(() => pageOf(category, "PRICE_DESC"));
    expect(price.statements).toBe(0);
    expect(price.result).toEqual(byPrice);

    const filtered = await statementsOf(() => pageOf(category, "NAME_ASC", { inStock: true }));
    expect(filtered.statements).toBeGreaterThan(0);
    expect(filtered.result.category.products.totalCount).toBe(inStock.category.products.totalCount - 1);
  });

  it("a category rename keeps a SKU lookup cached and shows the new name", async () => {
    const [product] = await sql<{ sku: string; category_id: number }>(`SELECT sku, category_id FROM products ORDER BY id LIMIT 1`);
    const bySku = `query($sku: String!) { productBySku(sku: $sku) { id sku price } }`;
    const withCategory = `query($sku: String!) { productBySku(sku: $sku) { id category { name } } }`;
    const before = await read(bySku, { sku: product.sku });
    await read(withCategory, { sku: product.sku });
    await write(`mutation($id: ID!, $input: UpdateCategoryInput!) { updateCategory(id: $id, input: $input) { id } }`, {
      id: String(product.category_id),
      input: { name: "Renamed for footprints" },
    });

    const lookup = await statementsOf(() => read(bySku, { sku: product.sku }));
    expect(lookup.statements).toBe(0);
    expect(lookup.result).toEqual(before);
    // The product's own entries are kept; only the renamed category's row is read again.
    const renamed = await statementsOf(() => read(withCategory, { sku: product.sku }));
    expect(renamed.statements).toBe(1);
    expect(renamed.result.productBySku.category.name).toBe("Renamed for footprints");
  });

  // `prod:sku:<sku>` holds the product's id, which a price does not change: a price write of a hot
  // product retires its SKU answers (they read its row) and nothing they find the row by.
  it("a price change keeps the SKU lookup cached: the SKU answer after it reads the product's row alone", async () => {
    const [product] = await sql<{ id: number; sku: string; price: string }>(`SELECT id, sku, price::text FROM products ORDER BY id LIMIT 1 OFFSET 7`);
    const bySku = `query($sku: String!) { productBySku(sku: $sku) { id sku price } }`;
    const cold = await statementsOf(() => read(bySku, { sku: product.sku }));
    expect(cold.statements).toBe(2); // the SKU's id, then the row
    await updateProduct(product.id, { price: Number(product.price) + 1 });

    const after = await statementsOf(() => read(bySku, { sku: product.sku }));
    expect(after.statements).toBe(1);
    expect(after.result.productBySku).toEqual({ id: String(product.id), sku: product.sku, price: Number(product.price) + 1 });
  });

  it("a price change keeps statistics that do not read prices, and retires the price summary", async () => {
    const { product } = await productOffBothPages();
    const summary = `{ stats { priceAvg } }`;
    const brands = `{ stats { byBrand { brand productCount } } }`;
    await read(summary);
    const kept = await read(brands);
    await updateProduct(product, { price: 99999 });
    const again = await statementsOf(() => read(brands));
    expect(again.statements).toBe(0);
    expect(again.result).toEqual(kept);
    const [avg] = await sql<{ avg: number }>(`SELECT round(avg(price), 2)::float8 AS avg FROM products`);
    expect((await read(summary)).stats.priceAvg).toBe(avg.avg);
  });
});
