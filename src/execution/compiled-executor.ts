import { BREAK, execute, Kind, visit, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import { LRUCache } from "lru-cache";

/**
 * The executor of GraphQL operations: graphql-jit (`jit`, compiled per document) or graphql-js.
 *
 * With `jit`, a query is compiled once per document and operation into plain JavaScript (graphql-jit
 * generates the field walk, the leaf serializers and the variable coercion of that one operation) and
 * kept in a bounded LRU keyed by the document's hash; Apollo Server keeps the parsed and validated
 * document under the same hash (its document store), so a hot query is neither parsed, validated nor
 * compiled again. graphql-js stays the slow path for:
 * - mutations (run once each, in order: nothing to gain, and graphql-js's serial execution is the reference);
 * - a document graphql-jit cannot compile (its error is remembered, so it is tried once), or one with
 *   a variable inside a list or object literal (`{ a: [$n] }`): graphql-jit hands a custom scalar's
 *   `parseLiteral` no variables, so `JSON` literals lost them (test/unit/compiled-executor.test.ts);
 * - a result with errors and no `data` at all (variables that do not coerce, an unknown operation):
 *   executed again by graphql-js, whose error messages and AST nodes Apollo Server reads to answer
 *   BAD_USER_INPUT with status 400 and formatError reads for the `field` (nothing ran: no resolver
 *   runs before variables coerce, in either executor).
 * Field errors (resolvers that throw) keep their message, path, locations, `extensions` and
 * `originalError` in graphql-jit as in graphql-js (the suite runs both ways: EXECUTOR).
 */

/** Which executor runs operations (EXECUTOR). */
export type ExecutorKind = "jit" | "graphql-js";

/** One operation to run, as Apollo Server hands it to a gateway's executor. */
export interface ExecutionRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode | undefined;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | undefined;
  contextValue: unknown;
  /** The document's hash (Apollo's `queryHash`, SHA-256 of its text): the key of the compiled cache. */
  queryHash: string;
}

/** Counts since the executor was created, for tests and the bench. */
export interface ExecutorCounters {
  /** Operations run by compiled code. */
  compiled: number;
  /** Compilations (a cache miss of a compilable document). */
  compilations: number;
  /** Operations run by graphql-js: mutations, documents that do not compile, request errors run again. */
  graphqlJs: number;
}

export interface Executor {
  readonly kind: ExecutorKind;
  execute(request: ExecutionRequest): Promise<ExecutionResult>;
  readonly counters: ExecutorCounters;
}

export interface ExecutorOptions {
  /** Compiled documents kept (least recently used dropped first). Default 1000. */
  maxDocuments?: number;
}

/** Defaults of `ExecutorOptions`. */
export const defaultExecutorOptions = { maxDocuments: 1000 } as const;

// A document graphql-jit refused to compile: run by graphql-js from then on.
const NOT_COMPILABLE = "not compilable" as const;

/** An executor of `kind`. */
export function createExecutor(kind: ExecutorKind, options: ExecutorOptions = {}): Executor {
  const counters: ExecutorCounters = { compiled: 0, compilations: 0, graphqlJs: 0 };
  const compiled = new LRUCache<string, CompiledQuery | typeof NOT_COMPILABLE>({ max: options.maxDocuments ?? defaultExecutorOptions.maxDocuments });

  const slow = async (request: ExecutionRequest): Promise<ExecutionResult> => {
    counters.graphqlJs += 1;
    return execute({
      schema: request.schema,
      document: request.document,
      contextValue: request.contextValue,
      variableValues: request.variables,
      operationName: request.operationName,
    });
  };

  const compiledFor = (request: ExecutionRequest): CompiledQuery | null => {
    const key = `${request.queryHash}\0${request.operationName ?? ""}`;
    let entry = compiled.get(key);
    if (entry === undefined) {
      counters.compilations += 1;
      const result = hasNestedVariable(request.document) ? null : compileQuery(request.schema, request.document, request.operationName ?? undefined, {
        // Stacks of field errors are never sent (formatError drops them); capturing one per error costs.
        disablingCapturingStackErrors: true,
      });
      entry = result && isCompiledQuery(result) ? result : NOT_COMPILABLE;
      compiled.set(key, entry);
    }
    return entry === NOT_COMPILABLE ? null : entry;
  };

  return {
    kind,
    counters,
    async execute(request) {
      if (kind === "graphql-js" || request.operation?.operation !== "query") return slow(request);
      const query = compiledFor(request);
      if (!query) return slow(request);
      const result = await query.query(undefined, request.contextValue, request.variables ?? {});
      if (result.errors?.length && result.data === undefined) return slow(request);
      counters.compiled += 1;
      return result;
    },
  };
}

// A variable inside a list or object literal (see the slow path's list above).
function hasNestedVariable(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Variable: (_node, _key, _parent, _path, ancestors) => {
      if (ancestors.some((ancestor) => "kind" in ancestor && (ancestor.kind === Kind.LIST || ancestor.kind === Kind.OBJECT))) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}
