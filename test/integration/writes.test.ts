import { Redis } from "ioredis";
import type { Gateway } from "../../src/server";
import { catalogDigest, inconsistentCategoryPaths } from "../helpers/catalog-checks";
import type { Database } from "../../src/data/database";
import { gql, gqlAs, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

/**
 * Every mutation over HTTP with the real Redis cache in front: each test first reads the views a
 * write affects (so they are cached), writes, then reads them again and must get fresh answers,
 * while views outside the footprint keep their entries (answered with no SQL, keys still in Redis).
 */
describe("writes: mutations, precise invalidation, read-your-writes", () => {
  let db: Database;
  let gateway: Gateway;
  let redis: Redis;
  const editor = ["editor"];

  const setup = useGateway({ label: "writes", catalog: { products: 800, categories: 60 }, redis: true });
  beforeAll(() => {
    ({ db, gateway, redis } = setup);
  });

  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
  const read = <T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}) => gqlData<T>(gateway.url, query, variables);
  const write = async (query: string, variables: Record<string, unknown> = {}, roles = editor) => {
    const response = await gqlAs(gateway, roles, query, variables);
    if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
    return response.data as Record<string, any>;
  };
  const statements = async (work: () => Promise<unknown>) => {
    const before = db.counter.statements;
    await work();
    return db.counter.statements - before;
  };

  // A leaf category with products, its ancestors, and an unrelated leaf in another top-level tree.
  async function fixture() {
    const [leaf] = await sql<{ id: number; path: string }>(`
      SELECT c.id, c.path FROM categories c
      WHERE c.depth >= 2 AND EXISTS (SELECT 1 FROM products p WHERE p.category_id = c.id)
      ORDER BY c.id LIMIT 1`);
    const root = Number(leaf.path.split("/")[1]);
    const [other] = await sql<{ id: number }>(`
      SELECT c.id FROM categories c
      WHERE c.path NOT LIKE $1 AND EXISTS (SELECT 1 FROM products p WHERE p.category_id = c.id)
      ORDER BY c.id LIMIT 1`, [`/${root}/%`]);
    const ancestors = leaf.path.split("/").filter(Boolean).map(Number);
    return { leaf: leaf.id, ancestors, other: other.id };
  }

  const listing = `query($id: ID!) {
    category(id: $id) {
      productCount own: productCount(includeDescendants: false)
      products(first: 100, orderBy: PRICE_ASC) { totalCount edges { node { id sku price } } }
    }
  }`;
  const views = async (ids: number[]) => Promise.all(ids.map((id) => read(listing, { id: String(id) })));
  const sqlCounts = async (id: number) => {
    const [row] = await sql<{ all: string; own: string }>(`
      SELECT count(*) FILTER (WHERE TRUE) AS all, count(*) FILTER (WHERE p.category_id = $1) AS own
      FROM products p JOIN categories c ON c.id = p.category_id
      WHERE c.path LIKE (SELECT path FROM categories WHERE id = $1) || '%'`, [id]);
    return { productCount: Number(row.all), own: Number(row.own) };
  };

  it("refuses writes without a token, with a bad token or without the role, and changes nothing", async () => {
    const before = await catalogDigest(db.sql);
    const mutation = `mutation { deleteProduct(id: "1") { deleted } }`;
    const anonymous = await gql(gateway.url, mutation);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const forged = await gql(gateway.url, mutation, {}, { authorization: "Bearer not.a.token" });
    expect(forged.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const reader = await gqlAs(gateway, ["reader"], mutation);
    expect(reader.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const editorWarm = await gqlAs(gateway, editor, `mutation { warmCache(topProducts: 1) { products } }`);
    expect(editorWarm.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await catalogDigest(db.sql)).toBe(before);
  });

  it("createProduct: the new product shows in its category and every ancestor at once", async () => {
    const { leaf, ancestors, other } = await fixture();
    await views([...ancestors, other]);
    const sku = "NEW-0001";
    expect(await read(`{ productBySku(sku: "${sku}") { id } }`)).toEqual({ productBySku: null }); // cached as missing
    const created = await write(`mutation($input: CreateProductInput!) { createProduct(input: $input) { id sku price category { id } } }`, {
      input: { sku, name: "Brand New Gadget", brand: "Acme", price: 12.5, stock: 3, categoryId: String(leaf) },
    });
    expect(created.createProduct).toMatchObject({ sku, price: 12.5, category: { id: String(leaf) } });
    expect((await read(`{ productBySku(sku: "${sku}") { id } }`)).productBySku.id).toBe(created.createProduct.id);
    for (const id of ancestors) {
      const view = await read(listing, { id: String(id) });
      expect(view.category.productCount).toBe((await sqlCounts(id)).productCount);
      expect(view.category.own).toBe((await sqlCounts(id)).own);
      expect(view.category.products.edges.map((e: any) => e.node.sku)).toContain(sku); // the cheapest
    }
    // Outside the footprint: the other tree's listing is still cached (no SQL) and still right.
    expect(await statements(() => read(listing, { id: String(other) }))).toBe(0);
  });

  it("updateProduct: price, SKU and category change; every view of old and new places is fresh", async () => {
    const { leaf, ancestors, other } = await fixture();
    const [product] = await sql<{ id: number; sku: string }>(`SELECT id, sku FROM products WHERE category_id = $1 ORDER BY id LIMIT 1`, [other]);
    const [untouched] = await sql<{ id: number }>(`SELECT id FROM products WHERE id <> $1 ORDER BY id DESC LIMIT 1`, [product.id]);
    await read(`query($id: ID!) { product(id: $id) { price } }`, { id: String(untouched.id) });
    await views([...ancestors, other]);
    await read(`query($sku: String!) { productBySku(sku: $sku) { price } }`, { sku: product.sku });
    const newSku = `${product.sku}-B`;
    const updated = await write(`mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { sku price category { id } } }`, {
      id: String(product.id),
      // Attributes cleared too: the other tree's group attributes (ramGb, ...) are not defined under the leaf.
      input: { price: 0.01, sku: newSku, categoryId: String(leaf), attributes: {} },
    });
    expect(updated.updateProduct).toEqual({ sku: newSku, price: 0.01, category: { id: String(leaf) } });
    const byId = await read(`query($id: ID!) { product(id: $id) { sku price } }`, { id: String(product.id) });
    expect(byId.product).toEqual({ sku: newSku, price: 0.01 });
    expect((await read(`query($sku: String!) { productBySku(sku: $sku) { id } }`, { sku: product.sku })).productBySku).toBeNull();
    expect((await read(`query($sku: String!) { productBySku(sku: $sku) { id } }`, { sku: newSku })).productBySku.id).toBe(String(product.id));
    for (const id of [...ancestors, other]) {
      const view = await read(listing, { id: String(id) });
      expect({ productCount: view.category.productCount, own: view.category.own }).toEqual(await sqlCounts(id));
      const skus = view.category.products.edges.map((e: any) => e.node.sku);
      if (ancestors.includes(id)) expect(skus[0]).toBe(newSku);
      else expect(skus).not.toContain(newSku);
    }
    expect(await redis.exists(`${setup.prefix}{prod:${untouched.id}}`)).toBe(1);
  });

  it("deleteProduct: gone by id, by SKU and from every listing", async () => {
    const { leaf, ancestors } = await fixture();
    const [product] = await sql<{ id: number; sku: string }>(`SELECT id, sku FROM products WHERE category_id = $1 ORDER BY price, id LIMIT 1`, [leaf]);
    await views(ancestors);
    await read(`query($id: ID!) { product(id: $id) { id } }`, { id: String(product.id) });
    expect((await write(`mutation($id: ID!) { deleteProduct(id: $id) { id deleted } }`, { id: String(product.id) })).deleteProduct.deleted).toBe(true);
    expect((await read(`query($id: ID!) { product(id: $id) { id } }`, { id: String(product.id) })).product).toBeNull();
    expect((await read(`query($sku: String!) { productBySku(sku: $sku) { id } }`, { sku: product.sku })).productBySku).toBeNull();
    for (const id of ancestors) {
      const view = await read(listing, { id: String(id) });
      expect(view.category.productCount).toBe((await sqlCounts(id)).productCount);
      expect(view.category.products.edges.map((e: any) => e.node.id)).not.toContain(String(product.id));
    }
  });

  it("createCategory, rename, attribute change and move: tree, children, breadcrumbs and inherited attributes are fresh", async () => {
    const { ancestors, other } = await fixture();
    const [parentId] = ancestors;
    const tree = `{ categoryTree(maxDepth: 2) { id name children { id name children { id name } } } }`;
    const children = `query($id: ID!) { category(id: $id) { children { id name } } }`;
    await read(tree);
    await read(children, { id: String(parentId) });
    const created = await write(`mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id slug depth path: ancestors { id } } }`, {
      input: { name: "Zeta Gadgets", parentId: String(parentId), attributes: [{ name: "voltage", type: "NUMBER" }] },
    });
    const id = created.createCategory.id;
    expect(created.createCategory).toMatchObject({ slug: "zeta-gadgets", depth: 1, path: [{ id: String(parentId) }] });
    expect((await read(children, { id: String(parentId) })).category.children.map((c: any) => c.name)).toContain("Zeta Gadgets");
    expect(JSON.stringify(await read(tree))).toContain("Zeta Gadgets");

    // A child, so renames and moves have descendants whose breadcrumbs and attributes depend on them.
    const child = (await write(`mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }`, {
      input: { name: "Zeta Chargers", parentId: id },
    })).createCategory.id;
    const childView = `query($id: ID!) { category(id: $id) { depth ancestors { id name } attributes { name definedBy { id } } } }`;
    expect((await read(childView, { id: child })).category.attributes.map((a: any) => a.name)).toContain("voltage");

    await write(`mutation($id: ID!) { updateCategory(id: $id, input: { name: "Zeta Devices", attributes: [{ name: "wattage", type: NUMBER }] }) { id } }`, { id });
    const renamed = (await read(childView, { id: child })).category;
    expect(renamed.ancestors.map((a: any) => a.name)).toContain("Zeta Devices");
    expect(renamed.attributes.map((a: any) => a.name)).toEqual(expect.arrayContaining(["wattage"]));
    expect(renamed.attributes.map((a: any) => a.name)).not.toContain("voltage");

    await write(`mutation($id: ID!, $to: ID!) { updateCategory(id: $id, input: { parentId: $to }) { id } }`, { id, to: String(other) });
    const moved = (await read(childView, { id: child })).category;
    const [otherRow] = await sql<{ path: string; depth: number }>(`SELECT path, depth FROM categories WHERE id = $1`, [other]);
    expect(moved.depth).toBe(otherRow.depth + 2);
    expect(moved.ancestors.map((a: any) => Number(a.id))).toEqual([...otherRow.path.split("/").filter(Boolean).map(Number), Number(id)]);
    expect((await read(children, { id: String(parentId) })).category.children.map((c: any) => c.id)).not.toContain(id);
    expect((await read(children, { id: String(other) })).category.children.map((c: any) => c.id)).toContain(id);
    expect(await inconsistentCategoryPaths(db.sql)).toEqual([]);

    await write(`mutation($id: ID!, $to: ID) { updateCategory(id: $id, input: { parentId: $to }) { id } }`, { id, to: null });
    expect((await read(childView, { id })).category.depth).toBe(0);
    expect((await read(`{ categories { id } }`)).categories.map((c: any) => c.id)).toContain(id);
  });

  it("deleteCategory: refused while it has content, done with moveContentsTo, and gone from every view", async () => {
    const target = (await write(`mutation { createCategory(input: { name: "Holding Pen" }) { id } }`)).createCategory.id;
    const doomed = (await write(`mutation { createCategory(input: { name: "Doomed" }) { id } }`)).createCategory.id;
    const product = (await write(`mutation($c: ID!) { createProduct(input: { sku: "DOOM-1", name: "Doomed thing", brand: "Acme", price: 5, categoryId: $c }) { id } }`, { c: doomed })).createProduct.id;
    await read(listing, { id: target });
    await read(`{ categories { id } }`);
    const refused = await gqlAs(gateway, editor, `mutation($id: ID!) { deleteCategory(id: $id) { deleted } }`, { id: doomed });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT" });
    await write(`mutation($id: ID!, $to: ID!) { deleteCategory(id: $id, moveContentsTo: $to) { deleted } }`, { id: doomed, to: target });
    expect((await read(`query($id: ID!) { category(id: $id) { id } }`, { id: doomed })).category).toBeNull();
    expect((await read(`{ categories { id } }`)).categories.map((c: any) => c.id)).not.toContain(doomed);
    const view = await read(listing, { id: target });
    expect(view.category.products.edges.map((e: any) => e.node.id)).toEqual([product]);
    expect((await read(`query($id: ID!) { product(id: $id) { category { id } } }`, { id: product })).product.category.id).toBe(target);
  });

  describe("bad input gets its code and changes nothing", () => {
    const cases: [string, string, Record<string, unknown>, string, string | undefined][] = [
      ["an empty name", `mutation { createCategory(input: { name: "  " }) { id } }`, {}, "BAD_USER_INPUT", "input.name"],
      ["an over-long name", `mutation($n: String!) { createCategory(input: { name: $n }) { id } }`, { n: "x".repeat(201) }, "BAD_USER_INPUT", "input.name"],
      ["a bad slug", `mutation { createCategory(input: { name: "A", slug: "Not A Slug" }) { id } }`, {}, "BAD_USER_INPUT", "input.slug"],
      ["a negative price", `mutation { createProduct(input: { sku: "X-1", name: "X", brand: "B", price: -1, categoryId: "1" }) { id } }`, {}, "BAD_USER_INPUT", "input.price"],
      ["three decimals", `mutation { createProduct(input: { sku: "X-1", name: "X", brand: "B", price: 1.005, categoryId: "1" }) { id } }`, {}, "BAD_USER_INPUT", "input.price"],
      ["a negative stock", `mutation { createProduct(input: { sku: "X-1", name: "X", brand: "B", price: 1, stock: -2, categoryId: "1" }) { id } }`, {}, "BAD_USER_INPUT", "input.stock"],
      ["an unknown category", `mutation { createProduct(input: { sku: "X-1", name: "X", brand: "B", price: 1, categoryId: "999999" }) { id } }`, {}, "NOT_FOUND", "input.categoryId"],
      ["an undefined attribute", `mutation { createProduct(input: { sku: "X-1", name: "X", brand: "B", price: 1, categoryId: "1", attributes: { flavour: "mint" } }) { id } }`, {}, "BAD_USER_INPUT", "input.attributes.flavour"],
      ["an unknown product", `mutation { updateProduct(id: "999999", input: { price: 1 }) { id } }`, {}, "NOT_FOUND", "id"],
      ["an update that sets nothing", `mutation { updateProduct(id: "1", input: {}) { id } }`, {}, "BAD_USER_INPUT", "input"],
    ];
    it.each(cases)("%s", async (_name, query, variables, code, field) => {
      const before = await catalogDigest(db.sql);
      const response = await gqlAs(gateway, editor, query, variables);
      expect(response.errors?.[0]?.extensions).toMatchObject({ code, ...(field ? { field } : {}) });
      expect(await catalogDigest(db.sql)).toBe(before);
    });

    it("a taken SKU or slug, and a move under itself or its descendant, are CONFLICTs", async () => {
      const before = await catalogDigest(db.sql);
      const [a, b] = await sql<{ id: number; sku: string }>(`SELECT id, sku FROM products ORDER BY id LIMIT 2`);
      const sku = await gqlAs(gateway, editor, `mutation($id: ID!, $sku: String!) { updateProduct(id: $id, input: { sku: $sku }) { id } }`, { id: String(a.id), sku: b.sku });
      expect(sku.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "input.sku" });
      const [c1, c2] = await sql<{ id: number; slug: string }>(`SELECT id, slug FROM categories ORDER BY id LIMIT 2`);
      const slug = await gqlAs(gateway, editor, `mutation($id: ID!, $slug: String!) { updateCategory(id: $id, input: { slug: $slug }) { id } }`, { id: String(c1.id), slug: c2.slug });
      expect(slug.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "input.slug" });
      const [deep] = await sql<{ id: number; path: string }>(`SELECT id, path FROM categories WHERE depth >= 2 ORDER BY id LIMIT 1`);
      const root = deep.path.split("/")[1];
      const cycle = await gqlAs(gateway, editor, `mutation($id: ID!, $to: ID!) { updateCategory(id: $id, input: { parentId: $to }) { id } }`, { id: root, to: String(deep.id) });
      expect(cycle.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "input.parentId" });
      const self = await gqlAs(gateway, editor, `mutation($id: ID!) { updateCategory(id: $id, input: { parentId: $id }) { id } }`, { id: root });
      expect(self.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT" });
      expect(await catalogDigest(db.sql)).toBe(before);
    });
  });
});
