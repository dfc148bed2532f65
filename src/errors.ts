import { GraphQLError, type GraphQLFormattedError } from "graphql";

/** The codes clients can rely on in `extensions.code`. */
export enum ErrorCode {
  BAD_USER_INPUT = "BAD_USER_INPUT",
  NOT_FOUND = "NOT_FOUND",
  CONFLICT = "CONFLICT",
  UNAUTHENTICATED = "UNAUTHENTICATED",
  FORBIDDEN = "FORBIDDEN",
  SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE",
  INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR",
}

/** A bad argument: `field` names the argument (or input path) at fault, e.g. "filter.minPrice". */
export class BadUserInputError extends GraphQLError {
  constructor(message: string, field: string) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, field } });
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

/**
 * Apollo's `formatError`: errors with a known code pass as they are; an error `isUnavailable`
 * recognises (the database cannot be reached) is SERVICE_UNAVAILABLE; anything else is reported as
 * INTERNAL_SERVER_ERROR with a generic message, so no SQL, stack or connection string leaks out.
 * `onInternal` receives the original error for the log.
 */
export function createFormatError(onInternal: (error: unknown) => void, isUnavailable: (error: unknown) => boolean = () => false) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === "string" && (knownCodes.has(code) || apolloRequestCodes.has(code)) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
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
