import type { ApolloServerOptionsWithGateway, BaseContext } from "@apollo/server";
import { printSchema, type GraphQLSchema } from "graphql";
import type { Executor } from "./compiled-executor";

/** Apollo Server's gateway interface (its `gateway` option). */
export type ExecutorGateway = ApolloServerOptionsWithGateway<BaseContext>["gateway"];

/**
 * Hands `executor` to Apollo Server through its gateway interface, the one way Apollo Server 5 lets
 * execution be replaced: `load()` returns the executor, `onSchemaLoadOrUpdate` reports the schema
 * once (it never changes). Everything else of Apollo's request pipeline runs as without it (parse
 * with the token limit, validation with the edge's rules, the document store, every plugin hook,
 * formatError, the HTTP status from errors), only `execute` is ours.
 */
export function executorGateway(schema: GraphQLSchema, executor: Executor): ExecutorGateway {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    async load() {
      return {
        executor: (request) =>
          executor.execute({
            schema: request.schema,
            document: request.document,
            operation: request.operation,
            operationName: request.operationName,
            variables: request.request.variables,
            contextValue: request.context,
            queryHash: request.queryHash,
          }),
      };
    },
    async stop() {},
  };
}
