import { cacheExchange, Client, fetchExchange } from "urql";
import { createStore } from "./store";

/** Where the app sends GraphQL: the gateway answers POSTs on any path; the dev server proxies this one. */
export const graphqlPath = "/graphql";

/** A development token the editor pasted, with the roles read from its payload (the gateway checks it, not the app). */
export interface SavedToken {
  token: string;
  roles: string[];
  subject: string;
}

/** Tokens pasted so far (to pick from), and the one in use; null: anonymous. */
export const tokens = createStore<SavedToken[]>([], "storefront.tokens");
export const activeToken = createStore<string | null>(null, "storefront.activeToken");

/** Whether requests ask for the cache trace (`x-cache-trace: 1`); such requests skip the whole-response cache. */
export const traceRequests = createStore<boolean>(false, "storefront.traceRequests");

/** What the last GraphQL response said about the cache (`extensions.cache`) and search notices. */
export interface LastRequest {
  operationName: string;
  status: number;
  durationMs: number;
  cache: { roundTrips: number; families: Record<string, Record<string, number>> } | null;
  notices: { code: string; message: string }[];
}
export const lastRequest = createStore<LastRequest | null>(null);

/** Reads a token's payload (roles, subject) without checking it: only to label it in the picker. */
export function describeToken(token: string): SavedToken {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))) as { roles?: unknown; sub?: unknown };
    const roles = Array.isArray(payload.roles) ? payload.roles.map(String) : [];
    return { token, roles, subject: typeof payload.sub === "string" ? payload.sub : "unknown" };
  } catch {
    return { token, roles: [], subject: "unreadable token" };
  }
}

/**
 * The app's one urql client. `cache-and-network` answers a view from the document cache and asks
 * the gateway again on every mount, so every view shows a write on its next request; a mutation's
 * result also retires cached queries that hold a Product, which refetches the open ones.
 */
export function createClient(): Client {
  return new Client({
    url: graphqlPath,
    exchanges: [cacheExchange, fetchExchange],
    requestPolicy: "cache-and-network",
    preferGetMethod: false,
    fetchOptions: () => {
      const headers: Record<string, string> = {};
      const token = activeToken.get();
      if (token) headers.authorization = `Bearer ${token}`;
      if (traceRequests.get()) headers["x-cache-trace"] = "1";
      return { headers };
    },
    fetch: observedFetch,
  });
}

/**
 * fetch that records the last response's cache trace and notices for the cache view. The body is
 * read here, whole, and handed on as a new Response: urql aborts its request once it has the
 * result, which would cut off a second reader of a clone.
 */
async function observedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const started = performance.now();
  const response = await fetch(input, init);
  const operationName = operationNameOf(init?.body);
  // The cache view polls; its own requests would always be the "last request" it shows.
  if (operationName === "CacheStatsView") return response;
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { extensions?: { cache?: LastRequest["cache"]; notices?: LastRequest["notices"] } };
    lastRequest.set({
      operationName,
      status: response.status,
      durationMs: Math.round(performance.now() - started),
      cache: body.extensions?.cache ?? null,
      notices: body.extensions?.notices ?? [],
    });
  } catch {
    // Not JSON (a proxy's error page): nothing to show; urql reports the response itself.
  }
  return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function operationNameOf(body: BodyInit | null | undefined): string {
  if (typeof body !== "string") return "unknown";
  try {
    return (JSON.parse(body) as { operationName?: string }).operationName ?? "anonymous";
  } catch {
    return "unknown";
  }
}
