import { makeExecutableSchema } from "@graphql-tools/schema";
import { createHash } from "node:crypto";
import { getOperationAST, GraphQLError, parse, validate, type ExecutionResult } from "graphql";
import { BadUserInputError, NotFoundError } from "../../src/errors";
import { createExecutor, type Executor } from "../../src/execution/compiled-executor";
import { DateTime, JSONScalar } from "../../src/modules/scalars";

// A schema of the shapes graphql-jit must run exactly like graphql-js: the gateway's custom scalars,
// an interface and a union, errors with extensions, non-null propagation, async and sync resolvers.
const schema = makeExecutableSchema({
  typeDefs: /* GraphQL */ `
    scalar DateTime
    scalar JSON
    enum Order { NAME_ASC PRICE_ASC }
    input Filter { minPrice: Float, brands: [String!], at: DateTime }
    interface Node { id: ID! }
    type Item implements Node { id: ID! name: String! price: Float! createdAt: DateTime! attributes: JSON tags: [String!]! }
    type Shelf implements Node { id: ID! items(first: Int = 2, order: Order = NAME_ASC, filter: Filter): [Item!]! }
    union Result = Item | Shelf
    type Query {
      node(id: ID!): Node
      results: [Result!]!
      item(id: ID!): Item
      strictItem(id: ID!): Item!
      failing: String
      failingNonNull: Item
      echo(filter: Filter, order: Order, at: DateTime, json: JSON): JSON
    }
    type Mutation { touch(id: ID!): Item }
  `,
  resolvers: {
    DateTime,
    JSON: JSONScalar,
    Node: { __resolveType: (value: { kind: string }) => value.kind },
    Result: { __resolveType: (value: { kind: string }) => value.kind },
    Query: {
      node: async (_: unknown, { id }: { id: string }) => (id.startsWith("s") ? shelf : items.find((item) => item.id === id) ?? null),
      results: () => [items[0], shelf, items[1]],
      item: (_: unknown, { id }: { id: string }) => {
        if (!/^\d+$/.test(id)) throw new BadUserInputError(`id must be digits, got ${JSON.stringify(id)}`, "id");
        return items.find((item) => item.id === id) ?? null;
      },
      strictItem: async (_: unknown, { id }: { id: string }) => {
        const found = items.find((item) => item.id === id);
        if (!found) throw new NotFoundError("Item", "id", id);
        return found;
      },
      failing: () => {
        throw new Error("database went away: postgres://secret@host");
      },
      failingNonNull: () => ({ ...items[0], name: null }),
      echo: (_: unknown, args: Record<string, unknown>) => args,
    },
    Shelf: {
      items: (_: unknown, { first, order, filter }: { first: number; order: string; filter?: { minPrice?: number } }) =>
        [...items]
          .filter((item) => filter?.minPrice === undefined || item.price >= filter.minPrice)
          .sort((a, b) => (order === "PRICE_ASC" ? a.price - b.price : a.name.localeCompare(b.name)))
          .slice(0, first),
    },
    Mutation: { touch: (_: unknown, { id }: { id: string }) => items.find((item) => item.id === id) ?? null },
  },
});

const items = [
  { kind: "Item", id: "1", name: "Phone", price: 199.99, createdAt: new Date("2026-01-02T03:04:05Z"), attributes: { storageGb: 64, colors: ["red"] }, tags: ["a"] },
  { kind: "Item", id: "2", name: "Case", price: 9.5, createdAt: new Date("2026-02-03T04:05:06Z"), attributes: null, tags: [] },
  { kind: "Item", id: "3", name: "Charger", price: 19, createdAt: new Date("2026-03-04T05:06:07Z"), attributes: { watts: 20 }, tags: ["b", "c"] },
];
const shelf = { kind: "Shelf", id: "s1" };

async function run(executor: Executor, query: string, variables?: Record<string, unknown>, operationName?: string): Promise<ExecutionResult> {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  return executor.execute({
    schema,
    document,
    operation: getOperationAST(document, operationName) ?? undefined,
    operationName,
    variables,
    contextValue: {},
    queryHash: createHash("sha256").update(query).digest("hex"),
  });
}

// What a client and formatError see of a result: the JSON, and per error its class, message,
// place, extensions (`{}` when none: Apollo Server reads `extensions.code` of every error) and the
// error it wraps (formatError logs that one). Not compared: `nodes` (graphql-jit keeps locations
// only; neither Apollo nor formatError reads nodes of a field error).
function observable(result: ExecutionResult) {
  return {
    json: JSON.parse(JSON.stringify(result)),
    errors: (result.errors ?? []).map((error) => ({
      isGraphQLError: error instanceof GraphQLError,
      message: error.message,
      path: error.path,
      locations: error.locations,
      extensions: error.extensions,
      wraps: error.originalError
        ? { name: error.originalError.name, message: error.originalError.message, extensions: (error.originalError as GraphQLError).extensions }
        : null,
    })),
  };
}

describe("the compiled executor (graphql-jit) answers as graphql-js does", () => {
  const cases: [string, string, Record<string, unknown>?, string?][] = [
    ["scalars: Float, ID, custom DateTime and JSON, lists", `{ item(id: "1") { id name price createdAt attributes tags } }`],
    ["an interface by inline fragments and __typename", `{ node(id: "s1") { __typename id ... on Shelf { items { name } } } a: node(id: "2") { __typename ... on Item { price } } }`],
    ["a union in a list, with named fragments", `query Q { results { ...I ... on Shelf { id items(first: 1, order: PRICE_ASC) { name price } } } } fragment I on Item { __typename name }`],
    ["@include and @skip by variables", `query Q($with: Boolean!, $without: Boolean!) { item(id: "3") { name price @include(if: $with) tags @skip(if: $without) } }`, { with: false, without: true }],
    ["variables: defaults, an input object with a custom scalar, an enum", `query Q($f: Filter, $o: Order = PRICE_ASC) { node(id: "s1") { ... on Shelf { items(first: 3, order: $o, filter: $f) { name } } } echo(filter: $f, order: $o) }`, { f: { minPrice: 10, at: "2026-01-01T00:00:00Z", brands: ["x"] } }],
    ["a field error with extensions (BAD_USER_INPUT and its field)", `{ item(id: "x1") { name } ok: item(id: "2") { name } }`],
    ["a NOT_FOUND on a non-null field nulls data", `{ strictItem(id: "9") { name } }`],
    ["an internal error keeps its original error (formatError hides it)", `{ failing item(id: "1") { id } }`],
    ["a null in a non-null field propagates to its parent", `{ failingNonNull { id name } }`],
    ["several operations, one chosen by name", `query A { item(id: "1") { name } } query B { item(id: "2") { name } }`, {}, "B"],
  ];

  // Each row as one object: jest hands a `done` callback to a function with more parameters than a row has.
  it.each(cases.map(([title, query, variables, operationName]) => ({ title, query, variables, operationName })))("$title", async ({ query, variables, operationName }) => {
    const jit = createExecutor("jit");
    const reference = createExecutor("graphql-js");
    const compiled = await run(jit, query, variables, operationName);
    expect(observable(compiled)).toEqual(observable(await run(reference, query, variables, operationName)));
    expect(jit.counters).toEqual({ compiled: 1, compilations: 1, graphqlJs: 0 });
    expect(reference.counters).toEqual({ compiled: 0, compilations: 0, graphqlJs: 1 });
  });

  const badVariables: [string, string, Record<string, unknown>][] = [
    ["a wrong type inside an input object", `query Q($f: Filter) { echo(filter: $f) }`, { f: { minPrice: "cheap" } }],
    ["a missing non-null variable", `query Q($id: ID!) { item(id: $id) { name } }`, {}],
    ["an unknown enum value", `query Q($o: Order) { echo(order: $o) }`, { o: "PRICE_DESC" }],
    ["a custom scalar that refuses the value (its own code)", `query Q($at: DateTime) { echo(at: $at) }`, { at: "yesterday" }],
  ];

  it.each(badVariables)("variables that do not coerce (%s) are answered by graphql-js, with its errors", async (_title, query, variables) => {
    const jit = createExecutor("jit");
    const compiled = await run(jit, query, variables);
    expect(compiled.data).toBeUndefined();
    expect(observable(compiled)).toEqual(observable(await run(createExecutor("graphql-js"), query, variables)));
    expect(jit.counters.graphqlJs).toBe(1);
    expect(jit.counters.compiled).toBe(0);
  });

  it("leaves a document with a variable inside a literal to graphql-js (graphql-jit loses it in a JSON literal)", async () => {
    const jit = createExecutor("jit");
    const query = `query Q($n: Int) { echo(json: { a: [1, { b: $n }], c: null }) }`;
    const result = await run(jit, query, { n: 7 });
    expect(result.data).toEqual({ echo: { json: { a: [1, { b: 7 }], c: null } } });
    expect(jit.counters).toEqual({ compiled: 0, compilations: 1, graphqlJs: 1 });
    await run(jit, query, { n: 8 });
    expect(jit.counters).toEqual({ compiled: 0, compilations: 1, graphqlJs: 2 });
  });

  it("compiles a document once and runs it compiled after (by its hash and operation name)", async () => {
    const jit = createExecutor("jit");
    for (const id of ["1", "2", "3"]) {
      const result = await run(jit, `query Q($id: ID!) { item(id: $id) { name } }`, { id });
      expect(result.data).toEqual({ item: { name: items.find((item) => item.id === id)!.name } });
    }
    await run(jit, `query A { item(id: "1") { name } } query B { item(id: "2") { name } }`, {}, "A");
    await run(jit, `query A { item(id: "1") { name } } query B { item(id: "2") { name } }`, {}, "B");
    expect(jit.counters).toEqual({ compiled: 5, compilations: 3, graphqlJs: 0 });
  });

  it("keeps at most maxDocuments compiled documents (least recently used dropped)", async () => {
    const jit = createExecutor("jit", { maxDocuments: 2 });
    for (const query of [`{ a: item(id: "1") { id } }`, `{ b: item(id: "1") { id } }`, `{ a: item(id: "1") { id } }`, `{ c: item(id: "1") { id } }`, `{ b: item(id: "1") { id } }`]) {
      await run(jit, query);
    }
    // a, b compiled; a reused; c pushes out b (least recently used); b compiled again.
    expect(jit.counters).toEqual({ compiled: 5, compilations: 4, graphqlJs: 0 });
  });

  it("runs mutations with graphql-js", async () => {
    const jit = createExecutor("jit");
    const result = await run(jit, `mutation { touch(id: "1") { name } }`);
    expect(result.data).toEqual({ touch: { name: "Phone" } });
    expect(jit.counters).toEqual({ compiled: 0, compilations: 0, graphqlJs: 1 });
  });

  it("EXECUTOR=graphql-js runs everything with graphql-js", async () => {
    const reference = createExecutor("graphql-js");
    await run(reference, `{ item(id: "1") { name } }`);
    expect(reference.counters).toEqual({ compiled: 0, compilations: 0, graphqlJs: 1 });
  });
});
