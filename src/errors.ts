import { GraphQLError, type GraphQLFormattedError } from "graphql";

/** The codes clients can rely on in `extensions.code`. */
export enum ErrorCode {
  BAD_USER_INPUT = "BAD_USER_INPUT",
  NOT_FOUND = "NOT_FOUND",
  CONFLICT = "CONFLICT",
  UNAUTHENTICATED = "UNAUTHENTICATED",
  FORBIDDEN = "FORBIDDEN",
  /** An operation over one of the limits (depth, aliases, tokens, directives, cost): refused before execution. */
  QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX",
  /** An operation type the gateway does not serve (subscriptions). */
  OPERATION_NOT_SUPPORTED = "OPERATION_NOT_SUPPORTED",
  /** A budget of the rate limits is spent: `extensions.retryAfter` (seconds, also the `Retry-After` header) and `limit` (which budget). */
  RATE_LIMITED = "RATE_LIMITED",
  /** TRUSTED_DOCUMENTS=require: an anonymous caller sent a document that is neither in the manifest nor registered by an editor. */
  UNTRUSTED_DOCUMENT = "UNTRUSTED_DOCUMENT",
  SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE",
  INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR",
}

/** A bad argument: `field` names the argument (or input path) at fault, e.g. "filter.minPrice". */
export class BadUserInputError extends GraphQLError {
  constructor(message: string, field: string) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, field } });
  }
}

/** HTTP status of errors that refuse a request before execution (Apollo strips `extensions.http` from the answer). */
const refused = { status: 400 };

/**
 * An operation over a limit: `limit` names it (depth, aliases, tokens, directives, cost), `max` is
 * the limit and `actual` what the operation has (null when it was not counted to the end).
 */
export class QueryTooComplexError extends GraphQLError {
  constructor(limit: string, actual: number | null, max: number, message: string) {
    super(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit, actual, max, http: refused } });
  }
}

export class OperationNotSupportedError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.OPERATION_NOT_SUPPORTED, http: refused } });
  }
}

/** Bad input found before execution (variables, document literals): a 400, like Apollo's variable errors. */
export class RefusedInputError extends GraphQLError {
  constructor(message: string, field: string) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, field, http: refused } });
  }
}

/** A spent rate-limit budget (`limit`: ip, subject, writes, failed-auth); HTTP 429 (src/plugins/rate-limits.ts adds `Retry-After`). */
export class RateLimitedError extends GraphQLError {
  constructor(limit: string, retryAfterSeconds: number) {
    super(rateLimitedMessage(limit, retryAfterSeconds), {
      extensions: {
        code: ErrorCode.RATE_LIMITED,
        limit,
        retryAfter: retryAfterSeconds,
        http: { status: 429 },
      },
    });
  }
}

/** The message of RATE_LIMITED, shared by the edge's refusal and `RateLimitedError`. */
export function rateLimitedMessage(limit: string, retryAfterSeconds: number): string {
  return `Too many requests: the ${limit} rate limit is spent; retry after ${retryAfterSeconds} s`;
}

/** TRUSTED_DOCUMENTS=require refuses a document an anonymous caller sent that is not trusted. */
export class UntrustedDocumentError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.UNTRUSTED_DOCUMENT, http: { status: 403 } } });
  }
}

export class NotFoundError extends GraphQLError {
  constructor(entity: string, key: string, value: string) {
    super(`${entity} with ${key} ${JSON.stringify(value)} was not found`, {
      extensions: { code: ErrorCode.NOT_FOUND, field: key },
    });
  }
}

export class ConflictError extends GraphQLError {
  constructor(message: string, field?: string) {
    super(message, { extensions: { code: ErrorCode.CONFLICT, ...(field ? { field } : {}) } });
  }
}

export class ServiceUnavailableError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } });
  }
}

const knownCodes = new Set<string>(Object.values(ErrorCode));
// Apollo's own codes for requests that never reached a resolver; they say nothing internal.
const apolloRequestCodes = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

/** Options of `createFormatError`. */
export interface FormatErrorOptions {
  /**
   * Keep graphql-js's "Did you mean ...?" hints (fields, arguments, types, enum values). They tell
   * what introspection would, so they follow it: off in production. Default true.
   */
  suggestions?: boolean;
}

/**
 * Apollo's `formatError`: errors with a known code pass as they are; an error `isUnavailable`
 * recognises (the database cannot be reached) is SERVICE_UNAVAILABLE; anything else is reported as
 * INTERNAL_SERVER_ERROR with a generic message, so no SQL, stack or connection string leaks out.
 * `onInternal` receives the original error for the log.
 */
export function createFormatError(
  onInternal: (error: unknown) => void,
  isUnavailable: (error: unknown) => boolean = () => false,
  options: FormatErrorOptions = {},
) {
  const suggestions = options.suggestions ?? true;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const own = ownValidationError(error);
    if (own) {
      const { http: _http, ...extensions } = own.extensions;
      formatted = { ...formatted, message: own.message, extensions: { ...formatted.extensions, ...extensions } };
    }
    const tokens = formatted.extensions?.code === "GRAPHQL_PARSE_FAILED" ? TOO_MANY_TOKENS.exec(formatted.message) : null;
    if (tokens) {
      const max = Number(tokens[1]);
      formatted = {
        message: `Document has more than ${max} tokens, the limit (MAX_QUERY_TOKENS)`,
        extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit: "tokens", actual: max + 1, max },
      };
    }
    const code = formatted.extensions?.code;
    if (code === ErrorCode.BAD_USER_INPUT && formatted.extensions?.field === undefined) {
      const field = variableFieldOf(formatted.message);
      if (field) formatted = { ...formatted, extensions: { ...formatted.extensions, field } };
    }
    if (typeof code === "string" && (knownCodes.has(code) || apolloRequestCodes.has(code)) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      const message = suggestions ? formatted.message : formatted.message.replace(SUGGESTION, "");
      return { ...formatted, message, extensions };
    }
    if (isUnavailable(error)) {
      return {
        message: "The catalog database is unavailable; nothing was written. Try again shortly.",
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
      };
    }
    onInternal(error);
    return {
      message: "Internal server error",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

// graphql-js's parser stops at the token limit (Apollo's parseOptions.maxTokens) with a syntax error; it is a limit, not a typo.
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more that (\d+) tokens\. Parsing aborted\.$/;

// graphql-js appends its hints at the end of a message: ` Did you mean "name"?`, ` Did you mean the enum value "NAME_ASC"?`.
const SUGGESTION = / Did you mean [^?]*\?$/;

/**
 * Apollo re-codes every error a validation rule reports as GRAPHQL_VALIDATION_FAILED; one of ours
 * (a limit, a NUL in a literal, a subscription) carries its own code in the original error.
 */
function ownValidationError(error: unknown): GraphQLError | null {
  if (!(error instanceof GraphQLError) || error.extensions.code !== "GRAPHQL_VALIDATION_FAILED") return null;
  const original = error.originalError;
  const code = original instanceof GraphQLError ? original.extensions.code : undefined;
  return typeof code === "string" && knownCodes.has(code) ? (original as GraphQLError) : null;
}

const VARIABLE_ERROR = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" (?:got invalid value .*? at "([^"]+)";)?/s;

/**
 * The input at fault in graphql-js's variable coercion errors: `Variable "$filter" got invalid value
 * "x" at "filter.minPrice"; ...` names `filter.minPrice`, one without a path names the variable.
 */
export function variableFieldOf(message: string): string | null {
  const match = VARIABLE_ERROR.exec(message);
  if (!match) return null;
  const [, variable, path] = match;
  return path !== undefined && (path === variable || path.startsWith(`${variable}.`) || path.startsWith(`${variable}[`)) ? path : variable;
}
