import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";

/**
 * A small typed client for the gateway, to copy into a web app. Each document carries its result
 * and variable types (the codegen client preset makes them from examples/operations/*.graphql,
 * into src/generated/client: `npm run generate`), so a schema change that breaks an operation
 * fails the type check, not a user. Errors keep what the gateway says: `extensions.code` and, for
 * a bad argument, `extensions.field`. No dependency beyond `graphql` (for `print`) and fetch.
 *
 *   const client = createCatalogClient({ url: "http://localhost:4000/", token });
 *   const { productBySku } = await client.request(ProductBySkuDocument, { sku: "4984700" });
 */
export interface CatalogClient {
  /** Runs one operation; resolves with its data, or rejects with a `CatalogRequestError`. */
  request<Result, Variables>(document: TypedDocumentNode<Result, Variables>, variables: Variables): Promise<Result>;
}

export interface CatalogClientOptions {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/. */
  url: string;
  /** A JWT sent as `Authorization: Bearer <token>`; writes need the editor role. Default: none. */
  token?: string;
  /** Headers sent with every request. Default: none. */
  headers?: Record<string, string>;
  /** The fetch to use (a test's, a polyfill). Default: the global fetch. */
  fetch?: typeof fetch;
}

/** One GraphQL error as the gateway reports it. */
export interface CatalogError {
  message: string;
  /** `extensions.code`: BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, ... */
  code?: string;
  /** `extensions.field`: the argument at fault for BAD_USER_INPUT, e.g. "input.price". */
  field?: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

/**
 * A request that did not answer with data: every GraphQL error (the first one's `code` and
 * `field` on the error itself, for a `switch`), the HTTP status, and any partial data.
 */
export class CatalogRequestError extends Error {
  readonly code: string | undefined;
  readonly field: string | undefined;
  constructor(
    readonly errors: CatalogError[],
    readonly status: number,
    readonly data?: unknown,
  ) {
    super(errors.map((error) => (error.code ? `${error.code}: ${error.message}` : error.message)).join("; "));
    this.name = "CatalogRequestError";
    this.code = errors[0]?.code;
    this.field = errors[0]?.field;
  }
}

export function createCatalogClient(options: CatalogClientOptions): CatalogClient {
  const send = options.fetch ?? fetch;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
  return {
    async request(document, variables) {
      const response = await send(options.url, { method: "POST", headers, body: JSON.stringify({ query: print(document), variables }) });
      const body = await readBody(response);
      if (body.errors?.length) throw new CatalogRequestError(body.errors.map(toCatalogError), response.status, body.data ?? undefined);
      if (!response.ok || body.data == null) {
        throw new CatalogRequestError([{ message: `HTTP ${response.status} without data` }], response.status);
      }
      return body.data as never;
    },
  };
}

/** One request without a client object (kept for the first examples). */
export function request<Result, Variables>(
  url: string,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
  headers: Record<string, string> = {},
): Promise<Result> {
  return createCatalogClient({ url, headers }).request(document, variables);
}

interface ResponseBody {
  data?: unknown;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

async function readBody(response: Response): Promise<ResponseBody> {
  const text = await response.text();
  try {
    return JSON.parse(text) as ResponseBody;
  } catch {
    throw new CatalogRequestError([{ message: `HTTP ${response.status}: not a GraphQL response: ${text.slice(0, 200)}` }], response.status);
  }
}

function toCatalogError(error: NonNullable<ResponseBody["errors"]>[number]): CatalogError {
  const { code, field } = error.extensions ?? {};
  return {
    message: error.message,
    ...(typeof code === "string" ? { code } : {}),
    ...(typeof field === "string" ? { field } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.extensions ? { extensions: error.extensions } : {}),
  };
}
