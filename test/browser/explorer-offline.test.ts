import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import type { Gateway } from "../../src/server";
import { useGateway } from "../helpers/use-gateway";
import { describeWithChromium, launchChromium } from "./chromium";

// The offline explorer in a real browser: every request that is not to the gateway (127.0.0.1)
// is refused, as on a plane or behind a proxy that blocks CDNs. The page must load, run a query
// and show the answer; Apollo's landing page must point to it.
jest.setTimeout(300_000);

const explorerDir = path.resolve(__dirname, "../../explorer/dist");

describeWithChromium("GraphiQL at /graphiql with the outside network blocked", () => {
  let gateway: Gateway;
  let browser: Browser;
  const outside: string[] = [];

  // Built before the gateway starts: the routes read the build once, at start.
  beforeAll(() => {
    if (!existsSync(path.join(explorerDir, "index.html"))) {
      execFileSync(process.execPath, [path.resolve(__dirname, "../../explorer/build.cjs")], { stdio: "inherit" });
    }
  });
  const fixture = useGateway({ label: "explorer", catalog: { products: 60, categories: 8 }, env: { INTROSPECTION: "true" } });
  beforeAll(async () => {
    ({ gateway } = fixture);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function offlinePage() {
    const page = await browser.newPage();
    await page.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" || url.protocol === "data:" || url.protocol === "blob:") return route.continue();
      outside.push(url.href);
      return route.abort("internetdisconnected");
    });
    return page;
  }

  it("loads, runs the query in the editor and shows the answer", async () => {
    const page = await offlinePage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL("/graphiql", gateway.url).href);
    // The editors are Monaco: the query editor holds the default query once GraphiQL has started.
    await page.locator(".graphiql-query-editor .monaco-editor").first().waitFor({ timeout: 60_000 });
    await page.locator(".graphiql-execute-button").click();
    const response = page.locator(".graphiql-response .monaco-editor");
    await response.getByText("productCount").first().waitFor({ timeout: 60_000 });
    const answer = await response.innerText();
    expect(answer).toContain('"categoryTree"');
    expect(answer).not.toContain('"errors"');
    expect(errors).toEqual([]);
    expect(outside.filter((href) => !href.startsWith("chrome"))).toEqual([]);
    await page.close();
  });

  it("is linked from Apollo's landing page, whose Sandbox cannot load offline", async () => {
    const page = await offlinePage();
    await page.goto(gateway.url);
    // Under the "cannot be loaded" note once Sandbox gives up, and in a corner from the start.
    await page.getByText("Offline? Open GraphiQL").waitFor({ timeout: 30_000 });
    await page.getByText("open /graphiql").click();
    await page.waitForURL(/\/graphiql$/);
    await page.locator(".graphiql-container").waitFor({ timeout: 60_000 });
    await page.close();
  });
});
