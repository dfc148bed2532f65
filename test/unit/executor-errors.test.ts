import { ApolloServer } from "@apollo/server";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { parse, type GraphQLFormattedError } from "graphql";
import { compileQuery, isCompiledQuery } from "graphql-jit";
import { isDatabaseUnavailable } from "../../src/data/database";
import { createFormatError, ErrorCode, NotFoundError } from "../../src/errors";
import { createExecutor, type Executor } from "../../src/execution/compiled-executor";
import { executorGateway } from "../../src/execution/executor-gateway";

// Field errors as a client sees them, through Apollo Server's error pipeline and the gateway's
// formatError (with the database check of src/server.ts), under each executor: graphql-js (Apollo
// executes the schema itself, as with EXECUTOR=graphql-js) and graphql-jit (through the gateway
// interface, as with EXECUTOR=jit). graphql-jit's own errors carried no `extensions` where the thrown
// error had none, Apollo failed on them before formatError and answered "Internal server error"
// without a path: a PostgreSQL outage was INTERNAL_SERVER_ERROR instead of SERVICE_UNAVAILABLE.

/** An error as the pg driver throws it when PostgreSQL refuses connections (isDatabaseUnavailable). */
function refused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
}

const schema = makeExecutableSchema({
  typeDefs: /* GraphQL */ `
    type Item { id: ID! name: String price: Float strict: String! }
    type Outer { inner: Inner, strict: Inner! }
    type Inner { value: String, strictValue: String! }
    type Query {
      thrown: String
      rejected: String
      unavailable: String
      unavailableNonNull: Item!
      coded: String
      notAnError: String
      returnedError: String
      items: [Item]
      strictItems: [Item!]
      promisedItems: [Item]
      promisedStrictItems: [Item!]
      promisedNames: [String]
      rejectedList: [Item]
      nested: Outer
      bubbling: Outer
      badScalar: Float
    }
  `,
  resolvers: {
    Query: {
      thrown: () => {
        throw new Error("relation \"products\" does not exist");
      },
      rejected: async () => {
        throw new Error("deadlock detected");
      },
      unavailable: async () => {
        throw refused();
      },
      unavailableNonNull: () => Promise.reject(refused()),
      coded: () => {
        throw new NotFoundError("Product", "sku", "NOPE-1");
      },
      notAnError: () => {
        throw "a string, not an Error";
      },
      returnedError: () => new Error("returned, not thrown"),
      items: () => [{ id: "1" }, { id: "2", fail: true }, { id: "3" }],
      strictItems: () => [{ id: "1" }, { id: "2", strictNull: true }],
      promisedItems: () => [Promise.resolve({ id: "1" }), Promise.reject(refused()), { id: "3" }],
      promisedStrictItems: async () => [Promise.resolve({ id: "1" }), Promise.reject(refused())],
      promisedNames: () => [Promise.reject("not an Error"), "b", Promise.resolve("c")],
      rejectedList: () => Promise.reject(refused()),
      nested: () => ({}),
      bubbling: () => ({}),
      badScalar: () => "not a number",
    },
    Item: {
      name: async (item: { id: string; fail?: boolean }) => {
        if (item.fail) throw refused();
        return `item ${item.id}`;
      },
      price: (item: { id: string; fail?: boolean }) => {
        if (item.fail) throw new Error("price column missing");
        return 1.5;
      },
      strict: (item: { strictNull?: boolean }) => (item.strictNull ? null : "ok"),
    },
    Outer: { inner: () => ({}), strict: () => ({}) },
    Inner: {
      value: () => Promise.reject(refused()),
      strictValue: async () => null,
    },
  },
});

type Shape = { data: unknown; errors: GraphQLFormattedError[] };

/** An Apollo Server with the gateway's formatError, running `executor` (or Apollo's own graphql-js). */
async function serverWith(executor: Executor | null, reported: unknown[]): Promise<ApolloServer> {
  const formatError = createFormatError((error) => reported.push(error), isDatabaseUnavailable);
  const server = executor ? new ApolloServer({ gateway: executorGateway(schema, executor), formatError }) : new ApolloServer({ schema, formatError });
  await server.start();
  return server;
}

describe("field errors under each executor (through Apollo Server and formatError)", () => {
  const jit = createExecutor("jit");
  const reported = { jit: [] as unknown[], graphqlJs: [] as unknown[] };
  let servers: { jit: ApolloServer; graphqlJs: ApolloServer };

  beforeAll(async () => {
    servers = { jit: await serverWith(jit, reported.jit), graphqlJs: await serverWith(null, reported.graphqlJs) };
  });
  afterAll(async () => {
    await servers.jit.stop();
    await servers.graphqlJs.stop();
  });

  async function shape(server: ApolloServer, query: string): Promise<Shape> {
    const response = await server.executeOperation({ query });
    if (response.body.kind !== "single") throw new Error(`expected a single result, got ${response.body.kind}`);
    return { data: response.body.singleResult.data, errors: [...(response.body.singleResult.errors ?? [])] };
  }

  const unavailable = (path: (string | number)[], line: number, column: number) => ({
    message: "The catalog database is unavailable; nothing was written. Try again shortly.",
    locations: [{ line, column }],
    path,
    extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
  });
  const internal = (path: (string | number)[], line: number, column: number) => ({
    message: "Internal server error",
    locations: [{ line, column }],
    path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  });

  // [title, query, the response both executors give, errors formatError reports as internal]
  const cases: [string, string, Shape, number][] = [
    ["a thrown Error", `{ thrown }`, { data: { thrown: null }, errors: [internal(["thrown"], 1, 3)] }, 1],
    ["a rejected promise", `{ rejected }`, { data: { rejected: null }, errors: [internal(["rejected"], 1, 3)] }, 1],
    ["the database unavailable", `{ unavailable }`, { data: { unavailable: null }, errors: [unavailable(["unavailable"], 1, 3)] }, 0],
    [
      "the database unavailable in a non-null root field (data null)",
      `{ unavailableNonNull { id } }`,
      { data: null, errors: [unavailable(["unavailableNonNull"], 1, 3)] },
      0,
    ],
    [
      "an error with a code (NOT_FOUND)",
      `{ coded }`,
      { data: { coded: null }, errors: [{ message: `Product with sku "NOPE-1" was not found`, locations: [{ line: 1, column: 3 }], path: ["coded"], extensions: { code: ErrorCode.NOT_FOUND, field: "sku" } }] },
      0,
    ],
    ["a thrown value that is not an Error", `{ notAnError }`, { data: { notAnError: null }, errors: [internal(["notAnError"], 1, 3)] }, 1],
    ["an Error returned, not thrown", `{ returnedError }`, { data: { returnedError: null }, errors: [internal(["returnedError"], 1, 3)] }, 1],
    [
      "errors in a list item's fields (one async, one sync)",
      `{ items { id name price } }`,
      {
        data: { items: [{ id: "1", name: "item 1", price: 1.5 }, { id: "2", name: null, price: null }, { id: "3", name: "item 3", price: 1.5 }] },
        errors: [unavailable(["items", 1, "name"], 1, 14), internal(["items", 1, "price"], 1, 19)],
      },
      1,
    ],
    [
      "a rejected promise as a list item",
      `{ promisedItems { id } }`,
      { data: { promisedItems: [{ id: "1" }, null, { id: "3" }] }, errors: [unavailable(["promisedItems", 1], 1, 3)] },
      0,
    ],
    [
      "a rejected promise as an item of [Item!] nulls the list",
      `{ promisedStrictItems { id } }`,
      { data: { promisedStrictItems: null }, errors: [unavailable(["promisedStrictItems", 1], 1, 3)] },
      0,
    ],
    [
      "a rejection with no Error as a leaf list item",
      `{ promisedNames }`,
      { data: { promisedNames: [null, "b", "c"] }, errors: [internal(["promisedNames", 0], 1, 3)] },
      1,
    ],
    ["a list resolver that rejects", `{ rejectedList { id } }`, { data: { rejectedList: null }, errors: [unavailable(["rejectedList"], 1, 3)] }, 0],
    [
      "a null in a non-null field of a list item nulls the list ([Item!])",
      `{ strictItems { id strict } }`,
      { data: { strictItems: null }, errors: [internal(["strictItems", 1, "strict"], 1, 20)] },
      1,
    ],
    [
      "a rejection in a nested field",
      `{ nested { inner { value } } }`,
      { data: { nested: { inner: { value: null } } }, errors: [unavailable(["nested", "inner", "value"], 1, 20)] },
      0,
    ],
    [
      "a null in a non-null nested field bubbles to the nearest nullable parent",
      `{ bubbling { inner { value } strict { strictValue } } }`,
      {
        data: { bubbling: null },
        errors: [unavailable(["bubbling", "inner", "value"], 1, 22), internal(["bubbling", "strict", "strictValue"], 1, 39)],
      },
      1,
    ],
    ["a value the scalar cannot serialize", `{ badScalar }`, { data: { badScalar: null }, errors: [internal(["badScalar"], 1, 3)] }, 1],
  ];

  it.each(cases.map(([title, query, expected, internals]) => ({ title, query, expected, internals })))("$title", async ({ query, expected, internals }) => {
    reported.jit.length = 0;
    reported.graphqlJs.length = 0;
    const before = { ...jit.counters };
    const compiled = await shape(servers.jit, query);
    const reference = await shape(servers.graphqlJs, query);
    // Errors of sibling fields come in the order their promises settle: compared as sets.
    const byPath = (response: Shape) => ({ ...response, errors: [...response.errors].sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path))) });
    expect(byPath(reference)).toEqual(byPath(expected));
    expect(byPath(compiled)).toEqual(byPath(reference));
    // The compiled code answered (not graphql-js as its fallback), and formatError logged the same errors.
    expect(jit.counters.compiled).toBe(before.compiled + 1);
    expect(jit.counters.graphqlJs).toBe(before.graphqlJs);
    expect(reported.jit).toHaveLength(internals);
    expect(reported.graphqlJs).toHaveLength(internals);
  });

  it("graphql-jit's own errors leave `extensions` undefined (why the executor rebuilds them)", async () => {
    const compiled = compileQuery(schema, parse(`{ thrown }`));
    if (!isCompiledQuery(compiled)) throw new Error("the query did not compile");
    const result = await compiled.query(undefined, {}, {});
    expect(result.errors?.[0].extensions).toBeUndefined();
    const executed = await createExecutor("jit").execute({ schema, document: parse(`{ thrown }`), operation: undefined, operationName: undefined, variables: {}, contextValue: {}, queryHash: "thrown" });
    expect(executed.errors?.[0].extensions).toEqual({});
    expect(executed.errors?.[0].originalError?.message).toBe("relation \"products\" does not exist");
  });
});
