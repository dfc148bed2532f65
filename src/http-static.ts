import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";

/** Where the storefront's build lands (`npm run storefront:build`, run by `npm start` when missing). */
export const storefrontDistDir = path.resolve(__dirname, "../storefront/dist");

/** The URL path the storefront is served under. */
export const storefrontBasePath = "/storefront";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Serves a single-page app's build under `basePath`: files as they are (with their content type;
 * hashed files under `assets/` cached for a year), and index.html for any path without a file
 * extension, so an addressable page (`/storefront/category/tvs`) loads the app, which routes it.
 * A path with an extension and no file is a 404; a path that leaves `dir` is a 404 too.
 */
export function createStaticRoute(dir: string, basePath: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = decodedPath(req.url ?? "/");
    if (pathname === null) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      return void res.end("Bad request: the path is not valid percent-encoding\n");
    }
    if (pathname === basePath) {
      res.writeHead(301, { location: `${basePath}/` });
      return void res.end();
    }
    const relative = pathname.slice(basePath.length + 1);
    const file = path.resolve(dir, relative);
    if (file !== dir && !file.startsWith(dir + path.sep)) return notFound(res, pathname);
    const extension = path.extname(relative);
    if (extension && (await isFile(file))) return send(res, file, extension, relative.startsWith("assets/"));
    if (extension) return notFound(res, pathname);
    const index = path.join(dir, "index.html");
    if (await isFile(index)) return send(res, index, ".html", false);
    res.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
    res.end(`The storefront is not built: run \`npm run storefront:build\` (looked in ${dir}).\n`);
  };
}

function decodedPath(url: string): string | null {
  try {
    return decodeURIComponent(new URL(url, "http://gateway").pathname);
  } catch {
    return null;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function send(res: ServerResponse, file: string, extension: string, immutable: boolean): void {
  res.writeHead(200, {
    "content-type": contentTypes[extension] ?? "application/octet-stream",
    // index.html must be asked for again, so a new build's asset names are found.
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  });
  createReadStream(file).on("error", () => res.destroy()).pipe(res);
}

function notFound(res: ServerResponse, pathname: string): void {
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
  res.end(`Not found: ${pathname}\n`);
}
