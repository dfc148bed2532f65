import type { ApolloServerPlugin } from "@apollo/server";
import { Counter, Histogram, type Registry } from "prom-client";
import type { Context, RequestRecord } from "../context";
import { ErrorCode } from "../errors";
import type { Logger } from "../logger";

/**
 * Per-operation telemetry: one log line per GraphQL request (operation, cost, duration, cache
 * outcome, error codes) and two Prometheus series, for executed requests and for those the
 * whole-response cache or the edge answered alike (the HTTP handler calls `finish` for all).
 *
 * Label cardinality is bounded: an operation is labelled with its name only when the name is one of
 * `operationNames` (the trusted documents' manifest); any other name is "other", none "anonymous".
 */

/** How the whole-response cache took part: answered (hit), looked and executed (miss), or not eligible (none). */
export type CacheOutcome = "hit" | "miss" | "none";

/** Why an operation was refused before execution: a limit's name, or one of these. */
export type RejectionReason =
  | "depth"
  | "aliases"
  | "tokens"
  | "directives"
  | "cost"
  | "rate_limit"
  | "untrusted_document"
  | "bad_input"
  | "unsupported_operation"
  | "persisted_query_not_found"
  | "other";

export interface Telemetry {
  /** Fills the request's record (operation, cost, error codes) from Apollo's side. */
  plugin: ApolloServerPlugin<Context>;
  /** Logs and counts a request once its answer is sent. */
  finish(record: RequestRecord, outcome: { cache: CacheOutcome; durationMs: number; status: number }): void;
}

const limitNames = new Set(["depth", "aliases", "tokens", "directives", "cost"]);

/** The reason of a refusal from its code (and, for QUERY_TOO_COMPLEX, the limit). */
export function rejectionReason(code: string | undefined, limit?: unknown): RejectionReason {
  switch (code) {
    case ErrorCode.QUERY_TOO_COMPLEX:
      return typeof limit === "string" && limitNames.has(limit) ? (limit as RejectionReason) : "other";
    case ErrorCode.RATE_LIMITED:
      return "rate_limit";
    case ErrorCode.UNTRUSTED_DOCUMENT:
      return "untrusted_document";
    case ErrorCode.OPERATION_NOT_SUPPORTED:
      return "unsupported_operation";
    case "PERSISTED_QUERY_NOT_FOUND":
      return "persisted_query_not_found";
    case ErrorCode.BAD_USER_INPUT:
    case "BAD_REQUEST":
    case "GRAPHQL_PARSE_FAILED":
    case "GRAPHQL_VALIDATION_FAILED":
    case "PERSISTED_QUERY_NOT_SUPPORTED":
      return "bad_input";
    default:
      return "other";
  }
}

/** Telemetry into `registry` and `logger`; `operationNames` are the names kept as labels. */
export function createTelemetry(registry: Registry, logger: Logger, operationNames: ReadonlySet<string>): Telemetry {
  const duration = new Histogram({
    name: "catalog_operation_duration_seconds",
    help: "GraphQL requests by operation (a trusted document's name, other, anonymous), whole-response cache outcome and result",
    labelNames: ["operation", "cache", "result"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const rejected = new Counter({
    name: "catalog_operations_rejected_total",
    help: "GraphQL requests refused before execution, by reason (a limit's name, rate_limit, untrusted_document, bad_input, ...)",
    labelNames: ["reason"],
    registers: [registry],
  });
  const label = (name: string | null) => (name === null ? "anonymous" : operationNames.has(name) ? name : "other");
  // Bound children: the labels are bounded (see above), and an unbound observe hashes its label object each time.
  const durations = new Map<string, ReturnType<typeof duration.labels>>();
  const durationOf = (operation: string, cache: CacheOutcome, result: string) => {
    const name = `${operation}\0${cache}\0${result}`;
    let child = durations.get(name);
    if (child === undefined) durations.set(name, (child = duration.labels(operation, cache, result)));
    return child;
  };

  return {
    plugin: {
      async requestDidStart({ request, contextValue }) {
        contextValue.record.operationName = request.operationName ?? null;
        return {
          async didResolveOperation({ operationName }) {
            contextValue.record.operationName = operationName;
          },
          async executionDidStart() {
            contextValue.record.executed = true;
            contextValue.record.cost = contextValue.operationCost ?? null;
          },
          async willSendResponse({ response }) {
            const errors = response.body.kind === "single" ? response.body.singleResult.errors ?? [] : [];
            contextValue.record.errorCodes = errors.map((error) => String(error.extensions?.code ?? "UNKNOWN"));
            const limit = errors[0]?.extensions?.limit;
            if (typeof limit === "string") contextValue.record.refusalLimit = limit;
          },
        };
      },
    },

    finish(record, { cache, durationMs, status }) {
      // A hit has no errors (only error-free answers are kept): any error code on a request that did not execute is a refusal.
      const refused = !record.executed && record.errorCodes.length > 0;
      const result = refused ? "refused" : record.errorCodes.length > 0 || status >= 400 ? "error" : "ok";
      durationOf(label(record.operationName), cache, result).observe(durationMs / 1000);
      if (refused) rejected.inc({ reason: rejectionReason(record.errorCodes[0], record.refusalLimit) });
      // Built only when written: the bench (and many deployments) log at warn.
      if (logger.isLevelEnabled("info")) logger.info(
        { operation: record.operationName, cost: record.cost, durationMs: Math.round(durationMs * 100) / 100, cache, status, errors: record.errorCodes },
        "graphql request",
      );
    },
  };
}
