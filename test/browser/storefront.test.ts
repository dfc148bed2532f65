import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { signToken } from "../../src/auth";
import { gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";
import { buildStorefront, describeWithChromium, launchChromium } from "./chromium";

/** Where the screenshots of each page go (not committed; docs/screenshots has a chosen few). */
const screenshotDir = path.resolve(__dirname, "../../test-results/storefront");

// The storefront as its users meet it: built by Vite, served by the gateway at /storefront/, driven
// in headless Chromium with every request outside the gateway refused (no CDN, works offline).
describeWithChromium("storefront in Chromium (generated catalog, embedded PGlite with vectors)", () => {
  jest.setTimeout(300_000);
  const fixture = useGateway({ label: "storefront", database: "pglite", catalog: { products: 400, categories: 16 }, env: { CACHE_STORE: "memory" } });
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  const outsideRequests: string[] = [];

  beforeAll(async () => {
    buildStorefront();
    mkdirSync(screenshotDir, { recursive: true });
    origin = new URL(fixture.url).origin;
    browser = await launchChromium();
    context = await newContext();
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function newContext(viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
    const created = await browser.newContext({ viewport });
    await created.route("**/*", (route) => {
      if (route.request().url().startsWith(origin)) return route.continue();
      outsideRequests.push(route.request().url());
      return route.abort();
    });
    return created;
  }
  const shoot = (on: Page, name: string, fullPage = true) => on.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage });
  const cards = (on: Page) => on.locator("li.card");

  it("serves the app with content types, its pages through the SPA fallback, and 404 for a missing file", async () => {
    const index = await fetch(`${origin}/storefront/category/anything`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const script = (await index.text()).match(/src="(\/storefront\/assets\/[^"]+\.js)"/)?.[1];
    const asset = await fetch(`${origin}${script}`);
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${origin}/storefront/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${origin}/storefront/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${origin}/storefront/%E0%A4%A`)).status).toBe(400);
  });

  it("browses the tree to a category, loads a second page and filters by brand", async () => {
    const { categories } = await gqlData(fixture.url, "{ categories(parentId: null) { name slug productCount children { name } } }");
    const top = (categories as { name: string; slug: string; productCount: number; children: { name: string }[] }[]).find((c) => c.productCount > 24 && c.children.length > 0)!;

    await page.goto(`${origin}/storefront/`);
    await page.getByRole("button", { name: `Expand ${top.name}` }).click();
    await page.getByRole("link", { name: top.children[0].name, exact: true }).first().waitFor(); // lazy children, loaded on expand
    await shoot(page, "home");

    await page.getByRole("link", { name: top.name, exact: true }).click();
    await page.waitForURL(`**/storefront/category/${top.slug}`);
    await untilCount(cards(page), 24);
    await page.getByRole("heading", { name: `${top.productCount} products` }).waitFor();
    await shoot(page, "category", false);
    await page.getByRole("button", { name: "Load more" }).click();
    await untilCount(cards(page), Math.min(48, top.productCount));

    // A brand filter starts the listing again from its first page, with that brand only.
    const brandLabel = page.getByRole("group", { name: "Brand" }).locator("label").first();
    const brand = (await brandLabel.textContent())!.trim();
    await brandLabel.getByRole("checkbox").check();
    await until("brands listed", async () => [...new Set(await page.locator(".card-brand").allTextContents())].join(", "), brand);
    await page.getByRole("heading", { name: /^\d+ products?$/ }).filter({ hasNotText: `${top.productCount} products` }).waitFor();
  });

  it("searches with a typo and refines by the brand and price facets", async () => {
    // The most frequent brand of at least five letters among the most popular products, its second-to-last letter dropped ("samsng").
    const { products } = await gqlData(fixture.url, "{ products(first: 100) { edges { node { brand } } } }");
    const counts = new Map<string, number>();
    for (const { node } of products.edges) if (node.brand.length >= 5) counts.set(node.brand, (counts.get(node.brand) ?? 0) + 1);
    const brand = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const typo = brand.slice(0, -2) + brand.slice(-1);

    await page.goto(`${origin}/storefront/`);
    const box = page.getByRole("combobox", { name: "Search products" });
    await box.fill(typo.toLowerCase());
    await box.press("Enter");
    await page.waitForURL(`**/storefront/search?q=${encodeURIComponent(typo.toLowerCase())}`);
    await page.locator(".total").waitFor();
    expect(await cards(page).count()).toBeGreaterThan(0);
    expect(await page.locator(".card-brand").allTextContents()).toContain(brand);
    await shoot(page, "search");

    const facet = page.locator('[data-facet="brand"]').getByRole("link", { name: new RegExp(`^${brand} \\d+$`) });
    await facet.click();
    await page.waitForURL(/brand=/);
    await page.getByRole("link", { name: `Remove brand ${brand}` }).waitFor();
    await page.locator(".card").first().waitFor();
    expect(new Set(await page.locator(".card-brand").allTextContents())).toEqual(new Set([brand]));

    // Then by the first price range: every price shown falls in it.
    await page.locator('[data-facet="price"]').getByRole("link").first().click();
    await page.waitForURL(/price=/);
    const [min, max] = new URL(page.url()).searchParams.get("price")!.split("-").map((bound) => (bound ? Number(bound) : null));
    await page.getByRole("link", { name: /^Remove price/ }).waitFor();
    await page.locator(".card").first().waitFor();
    const prices = (await page.locator(".card-price").allTextContents()).map((text) => Number(text.replace(/[$,]/g, "")));
    expect(prices.every((price) => price >= (min ?? 0) && (max === null || price < max))).toBe(true);
    expect(new Set(await page.locator(".card-brand").allTextContents())).toEqual(new Set([brand]));
    await shoot(page, "search-refined", false);
  });

  it("completes as you type and follows the keyboard", async () => {
    const { autocomplete } = await gqlData(fixture.url, '{ products(first: 1) { edges { node { brand } } } }').then(async ({ products }) =>
      gqlData(fixture.url, "query ($p: String!) { autocomplete(prefix: $p, limit: 8) }", { p: products.edges[0].node.brand.slice(0, 3) }),
    );
    const box = page.getByRole("combobox", { name: "Search products" });
    await box.fill("");
    await box.pressSequentially(autocomplete[0].slice(0, 3), { delay: 30 });
    await page.getByRole("option").first().waitFor();
    await box.press("ArrowDown");
    await box.press("ArrowDown");
    const second = page.getByRole("option").nth(1);
    expect(await second.getAttribute("aria-selected")).toBe("true");
    expect(await box.getAttribute("aria-activedescendant")).toBe(await second.getAttribute("id"));
    const chosen = (await second.textContent())!;
    await box.press("Enter");
    await page.waitForURL(`**/storefront/search?q=${encodeURIComponent(chosen).replace(/%20/g, "+")}`);
  });

  it("opens a product by SKU with its category path and attributes", async () => {
    const { products } = await gqlData(fixture.url, "{ products(first: 1, orderBy: NAME_ASC) { edges { node { sku name category { name ancestors { name } } } } } }");
    const product = products.edges[0].node;
    await page.goto(`${origin}/storefront/product/${product.sku}`);
    await page.getByRole("heading", { name: product.name }).waitFor();
    const path = await page.getByRole("navigation", { name: "Category path" }).getByRole("link").allTextContents();
    expect(path).toEqual(["All categories", ...product.category.ancestors.map((a: { name: string }) => a.name), product.category.name]);
    expect(await page.locator("table.attributes tr").count()).toBeGreaterThan(0);
    await shoot(page, "product");
  });

  it("in editor mode, changes a price that the listing (another, anonymous view too) and the product page show; a bad price shows the field error", async () => {
    const { categories } = await gqlData(fixture.url, "{ categories(parentId: null) { slug products(first: 1) { edges { node { sku price } } } } }");
    const { slug, products } = categories.find((c: any) => c.products.edges.length > 0);
    const { sku, price } = products.edges[0].node;
    const newPrice = Math.round(price * 100 + 1234) / 100;
    const shown = `$${newPrice.toLocaleString("en-US", { minimumFractionDigits: 2 })}`;

    // An anonymous shopper has the listing open (read through the whole-response cache).
    const shopper = await (await newContext()).newPage();
    await shopper.goto(`${origin}/storefront/category/${slug}`);
    await shopper.locator(`li.card[data-sku="${sku}"]`).waitFor();

    const token = await signToken(fixture.gateway.config.auth.jwtSecret!, "storefront-test", ["editor"]);
    await page.goto(`${origin}/storefront/product/${sku}`);
    await page.getByRole("button", { name: "Editor" }).click();
    await page.getByLabel("Paste a development token").fill(token);
    await page.getByRole("button", { name: "Use this token" }).click();
    await page.getByRole("button", { name: "Editor: editor" }).waitFor();

    await page.getByLabel("Price").fill(String(newPrice));
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    await untilText(page.getByTestId("price"), shown);
    await shoot(page, "product-edited");

    await page.getByRole("navigation", { name: "Category path" }).getByRole("link").last().click();
    await untilText(page.locator(`li.card[data-sku="${sku}"] [data-testid="price"]`), shown);
    await shopper.reload();
    await untilText(shopper.locator(`li.card[data-sku="${sku}"] [data-testid="price"]`), shown);
    await shoot(shopper, "category-after-edit");
    await shopper.context().close();

    await page.goto(`${origin}/storefront/product/${sku}`);
    await page.getByLabel("Price").fill("-5");
    await page.getByRole("button", { name: "Save" }).click();
    const error = page.locator('.error [data-code="BAD_USER_INPUT"][data-field="input.price"]');
    await error.waitFor();
    expect(await error.textContent()).toContain("input.price must be a price of 0 or more, got -5");
    await untilText(page.getByTestId("price"), shown);
    await shoot(page, "editor-error");
  });

  it("in editor mode, moves a product to another category: the breadcrumb and the counts follow", async () => {
    const { products } = await gqlData(fixture.url, "{ products(first: 50, orderBy: NAME_DESC) { edges { node { sku category { slug name productCount ancestors { slug name } } } } } }");
    const { sku, category } = products.edges.map((edge: any) => edge.node).find((node: any) => node.category.ancestors.length > 0);
    const parent = category.ancestors.at(-1);

    const shopper = await (await newContext()).newPage();
    await shopper.goto(`${origin}/storefront/category/${category.slug}`);
    await shopper.getByRole("heading", { name: `${category.productCount} products` }).waitFor();

    await page.goto(`${origin}/storefront/product/${sku}`);
    await page.getByLabel("Category (slug)").fill(parent.slug);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: `in ${parent.name}` }).waitFor();
    await untilText(page.getByRole("navigation", { name: "Category path" }).getByRole("link").last(), parent.name);

    await shopper.reload();
    const left = category.productCount - 1;
    await shopper.getByRole("heading", { name: `${left} product${left === 1 ? "" : "s"}` }).waitFor();
    expect(await shopper.locator(`li.card[data-sku="${sku}"]`).count()).toBe(0);
    await shopper.context().close();
  });

  it("shows cache statistics, the chart and the last request's trace", async () => {
    await page.goto(`${origin}/storefront/cache`);
    await page.getByRole("checkbox", { name: /cache trace/ }).check();
    await page.goto(`${origin}/storefront/`);
    await page.getByRole("tree", { name: "Categories" }).waitFor();
    await page.getByRole("link", { name: "Cache" }).click();
    await page.locator("table.stats").first().waitFor();
    await page.getByRole("img", { name: /per key family/ }).waitFor();
    await page.getByText(/store round trips/).first().waitFor();
    await page.getByText(/CategoryLevel: HTTP 200/).waitFor();
    await shoot(page, "cache");
  });

  it("fits a phone's width", async () => {
    const phone = await newContext({ width: 390, height: 844 });
    const small = await phone.newPage();
    const { categories } = await gqlData(fixture.url, "{ categories(parentId: null) { slug } }");
    await small.goto(`${origin}/storefront/category/${categories[0].slug}`);
    await small.locator("li.card").first().waitFor();
    expect(await small.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await shoot(small, "category-phone");
    await phone.close();
    expect(outsideRequests).toEqual([]);
  });
});

// A gateway without a vector index: HYBRID answers from text with a notice, VECTOR is refused; a bad
// token is refused at the write. What the shopper sees of each.
describeWithChromium("storefront in Chromium without a vector index", () => {
  jest.setTimeout(300_000);
  const fixture = useGateway({ label: "storefront-novec", database: "pglite", catalog: { products: 60, categories: 6 }, env: { VECTOR_INDEX: "none" } });
  let browser: Browser;
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    buildStorefront();
    mkdirSync(screenshotDir, { recursive: true });
    origin = new URL(fixture.url).origin;
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows the gateway's notice when HYBRID falls back to text, and VECTOR's error with its code", async () => {
    const { products } = await gqlData(fixture.url, "{ products(first: 1) { edges { node { brand } } } }");
    const brand: string = products.edges[0].node.brand;
    await page.goto(`${origin}/storefront/search?q=${encodeURIComponent(brand)}`);
    const notice = page.locator('.notice[data-code="VECTOR_SEARCH_UNAVAILABLE"]');
    await notice.waitFor();
    expect(await page.locator(".total").textContent()).toContain("(text)");
    await page.screenshot({ path: path.join(screenshotDir, "search-notice.png"), fullPage: true });

    await page.getByRole("radio", { name: "Vector" }).check();
    await page.waitForURL(/mode=VECTOR/);
    await page.locator('.error [data-code="SERVICE_UNAVAILABLE"]').waitFor();
  });

  it("shows UNAUTHENTICATED when the pasted token is not valid", async () => {
    const { products } = await gqlData(fixture.url, "{ products(first: 1) { edges { node { sku } } } }");
    await page.goto(`${origin}/storefront/product/${products.edges[0].node.sku}`);
    await page.getByRole("button", { name: "Editor" }).click();
    await page.getByLabel("Paste a development token").fill("not.a-valid.token");
    await page.getByRole("button", { name: "Use this token" }).click();
    await page.getByLabel("Stock").fill("3");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator('.error [data-code="UNAUTHENTICATED"]').waitFor();
  });
});

/** Waits (up to `timeoutMs`, polling) until `read` gives `expected`; fails with the last value seen. */
async function until<T>(what: string, read: () => Promise<T>, expected: T, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (last !== expected) {
    if (Date.now() > deadline) throw new Error(`${what}: expected ${JSON.stringify(expected)}, still ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
}

const untilCount = (locator: Locator, count: number) => until(`count of ${locator}`, () => locator.count(), count);
const untilText = (locator: Locator, text: string) => until(`text of ${locator}`, async () => ((await locator.count()) ? locator.first().textContent() : null), text);
