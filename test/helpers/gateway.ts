import { loadConfig, type Env } from "../../src/config";
import type { CacheStore } from "../../src/cache/store";
import type { Database } from "../../src/data/database";
import { signToken } from "../../src/auth";
import { startGateway, type Gateway, type GatewayOptions } from "../../src/server";

/** A GraphQL response as a test sees it. */
export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/**
 * The executor the suite runs under: EXECUTOR from the environment of the test run (`jit` or
 * `graphql-js`; unset: the gateway's default), so the whole suite can run both ways. Every test that
 * builds a gateway's config spreads it under its own settings.
 */
export function executorEnv(): Env {
  return process.env.EXECUTOR ? { EXECUTOR: process.env.EXECUTOR } : {};
}

/**
 * Starts a gateway on a free port over an open database, with no migration or seeding of its own.
 * The cache is the one `env` configures (CACHE_STORE, REDIS_URL), none by default, or `store`.
 * Resolves once the start's vector sync is done too (a gateway serves before), so searches are HYBRID.
 * `parts`: a logger of the test's own (to read what was logged), extra Apollo plugins.
 */
export async function startTestGateway(
  db: Database,
  options: { env?: Env; store?: CacheStore | null; parts?: Pick<GatewayOptions, "logger" | "plugins"> } = {},
): Promise<Gateway> {
  const config = loadConfig({ NODE_ENV: "test", PORT: "0", MIGRATE_ON_START: "false", CACHE_STORE: options.env?.REDIS_URL ? "redis" : "none", LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent", ...executorEnv(), ...options.env });
  return synced(await startGateway(config, { db, ...options.parts, ...("store" in options ? { store: options.store } : {}) }));
}

/** The gateway once its start's vector sync (run in the background) is done. */
export async function synced(gateway: Gateway): Promise<Gateway> {
  await gateway.search.synced();
  return gateway;
}


/** POSTs one operation over real HTTP, as a client would. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/** Like `gql`, but fails the test on any GraphQL error and returns `data`. */
export async function gqlData<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await gql<T>(url, query, variables, headers);
  if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

/** `Authorization` header of a token with `roles`, signed with the gateway's secret. */
export async function bearer(gateway: Gateway, ...roles: string[]): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await signToken(gateway.config.auth.jwtSecret!, "test", roles)}` };
}

/** Like `gql` with an editor's token. */
export async function gqlAs<T = Record<string, any>>(
  gateway: Gateway,
  roles: string[],
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  return gql<T>(gateway.url, query, variables, await bearer(gateway, ...roles));
}
