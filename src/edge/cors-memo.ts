import type { IncomingMessage, ServerResponse } from "node:http";
import { LRUCache } from "lru-cache";

/** A connect-style middleware, as `cors(options)` returns one. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * `cors(options)` with its answer to an actual (non-preflight) request remembered per `Origin`:
 * for such a request the headers the package sets depend on the static options and the origin
 * alone, and computing them again (options merge, origin match, `vary`) cost about 6% of a
 * whole-response hit. Preflights (OPTIONS), and any origin the package refuses with an error, go
 * through the package every time. `maxOrigins` bounds the memory a client sending many origins
 * can take. Default 256.
 */
export function memoizeCors(middleware: Middleware, maxOrigins = 256): Middleware {
  const remembered = new LRUCache<string, [string, string | number | readonly string[]][]>({ max: maxOrigins });
  return (req, res, next) => {
    if (req.method === "OPTIONS") return middleware(req, res, next);
    // An absent Origin and an empty one are told apart (cors treats both as "no origin" today; nothing relies on it).
    const origin = req.headers.origin;
    const key = origin === undefined ? "\0none" : `=${origin}`;
    const headers = remembered.get(key);
    if (headers) {
      for (const [name, value] of headers) res.setHeader(name, value);
      return next();
    }
    // First time for this origin: the package writes into a recorder, and what it wrote is replayed.
    const recorded: [string, string | number | readonly string[]][] = [];
    const recorder = {
      getHeader: () => undefined,
      setHeader: (name: string, value: string | number | readonly string[]) => void recorded.push([name, value]),
    } as unknown as ServerResponse;
    let settled = false;
    let failed = false;
    middleware(req, recorder, (error?: unknown) => {
      settled = true;
      failed = error !== undefined && error !== null;
    });
    // Static options answer at once; an asynchronous origin callback (not ours) is not memoized.
    if (!settled || failed) return middleware(req, res, next);
    remembered.set(key, recorded);
    for (const [name, value] of recorded) res.setHeader(name, value);
    next();
  };
}
