import { mapSchema, MapperKind } from "@graphql-tools/utils";
import {
  BREAK,
  execute,
  getNullableType,
  GraphQLError,
  isListType,
  Kind,
  locatedError,
  visit,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { inspect } from "graphql/jsutils/inspect";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import { GraphQLError as JitGraphQLError } from "graphql-jit/dist/error";
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
 * Field errors (a resolver that throws or rejects, in a list item or a nested field, a null in a
 * non-null field) are rebuilt as graphql-js builds them (`asGraphQLJsError`): same message, path,
 * locations, `extensions` and `originalError` (the suite runs both ways: EXECUTOR). A list whose
 * resolver returns promises as items is compiled over a copy of the schema where a rejected item
 * comes back as an Error value (`settleListItems`): graphql-jit 0.8.9 appends the null of a rejected
 * item to the end of the list instead of putting it in the item's place (test/unit/executor-errors.test.ts).
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

  const jitSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();
  const jitSchemaOf = (schema: GraphQLSchema): GraphQLSchema => {
    let jitSchema = jitSchemas.get(schema);
    if (!jitSchema) jitSchemas.set(schema, (jitSchema = settleListItems(schema)));
    return jitSchema;
  };

  const compiledFor = (request: ExecutionRequest): CompiledQuery | null => {
    const key = `${request.queryHash}\0${request.operationName ?? ""}`;
    let entry = compiled.get(key);
    if (entry === undefined) {
      counters.compilations += 1;
      const result = hasNestedVariable(request.document) ? null : compileQuery(jitSchemaOf(request.schema), request.document, request.operationName ?? undefined, {
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
      return result.errors ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result;
    },
  };
}

/**
 * A field error of graphql-jit as graphql-js would have made it. graphql-jit builds its own
 * GraphQLError (a GraphQLError by prototype only) whose `extensions` stay undefined when the thrown
 * error has none (a plain Error, a Prisma or pg error, a null in a non-null field), where graphql-js
 * sets `{}`. Apollo Server reads `error.extensions.code` before it calls formatError: the TypeError
 * it meets there is answered "Internal server error" with no `path`, and formatError never sees the
 * error, so a PostgreSQL outage was not SERVICE_UNAVAILABLE (test/integration/database-down.test.ts).
 * Rebuilt with graphql-js's own `locatedError`, a thrown non-Error also gets its message
 * ("Unexpected error value: ...") and a null in a non-null field its wrapped Error, as in graphql-js.
 */
export function asGraphQLJsError(error: GraphQLError): GraphQLError {
  if (!(error instanceof JitGraphQLError)) return error;
  const rebuilt = locatedError(error.originalError ?? new Error(error.message), undefined, error.path);
  // graphql-jit keeps the field's locations, not its AST nodes (from which graphql-js computes them).
  if (rebuilt.locations === undefined && error.locations !== undefined) Object.assign(rebuilt, { locations: error.locations });
  return rebuilt;
}

/**
 * `schema` with every list field that has a resolver wrapped so that an item which is a rejected
 * promise becomes the Error it rejected with (graphql-js's message for a thrown non-Error): graphql-jit
 * places an Error item correctly, a rejected one not (see the executor's comment). Fields read by the
 * default resolver are left alone: graphql-jit inlines their property read, and a row holds no promises.
 */
export function settleListItems(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field) => {
      const resolve = field.resolve;
      if (!resolve || !isListType(getNullableType(field.type))) return field;
      const settled: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
        const value: unknown = resolve(source, args, context, info);
        return isPromiseLike(value) ? Promise.resolve(value).then(settleItems) : settleItems(value);
      };
      return { ...field, resolve: settled };
    },
  });
}

function settleItems(value: unknown): unknown {
  if (!Array.isArray(value) || !value.some(isPromiseLike)) return value;
  return value.map((item) => (isPromiseLike(item) ? Promise.resolve(item).catch(asThrownError) : item));
}

// graphql-js's locatedError turns a thrown value that is no Error into this one.
function asThrownError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(`Unexpected error value: ${inspect(reason)}`);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
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
