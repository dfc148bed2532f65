import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { explorerRoutes, findRoute } from "../../src/http-routes";

// On a first start `npm start` builds the explorer in the background while the gateway serves:
// /graphiql says so until the bundle is there, then serves it, with no restart.
describe("/graphiql before and after the explorer's bundle is built", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cg-explorer-"));
  const routes = explorerRoutes([dir]);
  const server = http.createServer((req, res) => {
    const route = findRoute(routes, (req.url ?? "/").split("?", 1)[0]);
    if (route) return void route(req, res);
    res.statusCode = 404;
    res.end();
  });
  let base = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 503 with what to do while there is no build, then serves the build once it is written", async () => {
    const before = await fetch(`${base}/graphiql`);
    expect(before.status).toBe(503);
    expect(before.headers.get("retry-after")).toBe("10");
    expect(await before.text()).toMatch(/not built yet: on a first start `npm start` builds it in the background/);

    writeFileSync(path.join(dir, "graphiql.js"), "console.log('explorer');");
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>GraphiQL</title>");
    for (const page of ["/graphiql", "/graphiql/", "/graphiql/index.html"]) {
      const response = await fetch(`${base}${page}`);
      expect([page, response.status, response.headers.get("content-type")]).toEqual([page, 200, "text/html; charset=utf-8"]);
      expect(await response.text()).toContain("<title>GraphiQL</title>");
    }
    const script = await fetch(`${base}/graphiql/graphiql.js`);
    expect([script.status, script.headers.get("content-type")]).toEqual([200, "text/javascript; charset=utf-8"]);
    expect((await fetch(`${base}/graphiql/absent.js`)).status).toBe(404);
  });
});
