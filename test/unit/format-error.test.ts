import { ApolloServer } from "@apollo/server";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { BadUserInputError, createFormatError, ErrorCode, NotFoundError } from "../../src/errors";

// createFormatError through Apollo's own error pipeline (executeOperation, stack traces switched on
// as in development), so `formatted` and `error` are what Apollo really hands it; Apollo's request
// codes, which need an HTTP request or a persisted-query store to provoke, are passed directly.
describe("formatError", () => {
  const secret = "postgresql://catalog:hunter2@10.0.0.5/catalog";
  const reported: unknown[] = [];
  let server: ApolloServer;

  beforeAll(async () => {
    server = new ApolloServer({
      typeDefs: `type Query { missing: String, badInput(min: Int): String, crash: String, odd: String, internal: String }`,
      resolvers: {
        Query: {
          missing: () => {
            throw new NotFoundError("Product", "sku", "NOPE-1");
          },
          badInput: () => {
            throw new BadUserInputError("filter.minPrice must be at most filter.maxPrice, got 9 > 3", "filter.minPrice");
          },
          crash: () => {
            throw new Error(`connect ECONNREFUSED ${secret}`);
          },
          odd: () => {
            throw new GraphQLError(`driver failed on ${secret}`, { extensions: { code: "P1001" } });
          },
          internal: () => {
            throw new GraphQLError(`relation "products" does not exist on ${secret}`, { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
          },
        },
      },
      formatError: createFormatError((error) => reported.push(error)),
      includeStacktraceInErrorResponses: true,
    });
    await server.start();
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    reported.length = 0;
  });

  async function errorsOf(query: string): Promise<readonly GraphQLFormattedError[]> {
    const response = await server.executeOperation({ query });
    if (response.body.kind !== "single") throw new Error(`expected a single result, got ${response.body.kind}`);
    return response.body.singleResult.errors ?? [];
  }

  it("passes an error with a known code as it is, without its stacktrace", async () => {
    const [notFound] = await errorsOf(`{ missing }`);
    expect(notFound).toEqual({
      message: `Product with sku "NOPE-1" was not found`,
      locations: [{ line: 1, column: 3 }],
      path: ["missing"],
      extensions: { code: ErrorCode.NOT_FOUND, field: "sku" },
    });
    const [badInput] = await errorsOf(`{ badInput }`);
    expect(badInput.extensions).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: "filter.minPrice" });
    expect(badInput.message).toBe("filter.minPrice must be at most filter.maxPrice, got 9 > 3");
    expect(reported).toEqual([]);
  });

  it("turns an unexpected error into INTERNAL_SERVER_ERROR with a generic message and reports the original", async () => {
    const [crash] = await errorsOf(`{ crash }`);
    expect(crash).toEqual({
      message: "Internal server error",
      locations: [{ line: 1, column: 3 }],
      path: ["crash"],
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    });
    expect(JSON.stringify(crash)).not.toContain("hunter2");
    expect(reported).toHaveLength(1);
    const original = reported[0] as GraphQLError;
    expect(original).toBeInstanceOf(GraphQLError);
    expect(original.originalError?.message).toBe(`connect ECONNREFUSED ${secret}`);
  });

  it("treats a code it does not know, and INTERNAL_SERVER_ERROR set by anyone, as internal", async () => {
    const [odd, internal] = [...(await errorsOf(`{ odd }`)), ...(await errorsOf(`{ internal }`))];
    for (const error of [odd, internal]) {
      expect(error.message).toBe("Internal server error");
      expect(error.extensions).toEqual({ code: ErrorCode.INTERNAL_SERVER_ERROR });
      expect(JSON.stringify(error)).not.toContain("hunter2");
    }
    expect(reported.map((error) => (error as GraphQLError).message)).toEqual([
      `driver failed on ${secret}`,
      `relation "products" does not exist on ${secret}`,
    ]);
  });

  it("passes Apollo's parse and validation errors with their message, without a stacktrace", async () => {
    const [parse] = await errorsOf(`{ missing `);
    expect(parse.extensions).toEqual({ code: "GRAPHQL_PARSE_FAILED" });
    expect(parse.message).toMatch(/^Syntax Error/);
    const [validation] = await errorsOf(`{ nosuchfield }`);
    expect(validation.extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED" });
    expect(validation.message).toBe(`Cannot query field "nosuchfield" on type "Query".`);
    expect(reported).toEqual([]);
  });

  it.each(["BAD_REQUEST", "PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_NOT_SUPPORTED", "OPERATION_RESOLUTION_FAILURE"])(
    "passes Apollo's request code %s as it is",
    (code) => {
      const onInternal = jest.fn();
      const formatted = { message: `request refused (${code})`, extensions: { code, stacktrace: ["GraphQLError: at somewhere"] } };
      expect(createFormatError(onInternal)(formatted, new GraphQLError(formatted.message))).toEqual({
        message: `request refused (${code})`,
        extensions: { code },
      });
      expect(onInternal).not.toHaveBeenCalled();
    },
  );
});
