import { readFileSync } from "node:fs";
import path from "node:path";
import { buildSchema, GraphQLError, Kind, parse, type ValueNode } from "graphql";
import { defaultJsonLimits, findJsonViolation, printJsonPath } from "../../src/edge/json-limits";
import { checkRequestBody } from "../../src/edge/request-body";
import { defaultCostEstimates, operationCost } from "../../src/edge/operation-cost";
import { variableFieldOf } from "../../src/errors";
import { JSONScalar } from "../../src/modules/scalars";

const schema = buildSchema(readFileSync(path.resolve(__dirname, "../../schema.graphql"), "utf8"));

/** `{ a: { a: ... leaf } }` `levels` deep, built without recursion. */
function nested(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe("findJsonViolation", () => {
  it("walks 100,000 levels without recursion and reports the path where the depth runs out", () => {
    const violation = findJsonViolation(nested(100_000));
    expect(violation?.path).toHaveLength(defaultJsonLimits.maxDepth);
    expect(violation?.problem).toMatch(/deeper than 32 levels/);
    expect(findJsonViolation(nested(32))).toBeNull();
    expect(findJsonViolation(nested(33))).not.toBeNull();
  });

  it("counts values, bounds strings and refuses NUL and lone surrogates in values and keys", () => {
    expect(findJsonViolation(new Array(11).fill(0), { ...defaultJsonLimits, maxNodes: 10 })?.problem).toMatch(/more than 10 values/);
    expect(findJsonViolation({ s: "x".repeat(11) }, { ...defaultJsonLimits, maxStringLength: 10 })?.path).toEqual(["s"]);
    expect(findJsonViolation({ list: ["ok", "a\u0000"] })).toEqual({ path: ["list", 1], problem: expect.stringMatching(/NUL/) });
    expect(findJsonViolation({ ["k\u0000"]: 1 })?.problem).toMatch(/key that contains a NUL/);
    expect(findJsonViolation("\ud800")?.problem).toMatch(/lone surrogate/);
    expect(findJsonViolation("x\udc00")?.problem).toMatch(/lone surrogate/);
    expect(findJsonViolation("emoji \ud83d\ude00 is fine")).toBeNull();
  });

  it("prints paths like graphql-js, shortening long ones", () => {
    expect(printJsonPath(["input", "rows", 3, "sku"])).toBe("input.rows[3].sku");
    expect(printJsonPath(["variables", ...new Array(40).fill("a")])).toBe("variables.a.a.a.a.a.a.a.a.a...a.a");
  });

  it("checks variables and extensions of a body or a batch", () => {
    expect(checkRequestBody({ query: "{ x }", variables: { v: nested(40) } })?.field).toMatch(/^variables\.v\.a/);
    expect(checkRequestBody([{ query: "{ x }" }, { query: "{ x }", extensions: { e: "\u0000" } }])).toMatchObject({ status: 400, code: "BAD_USER_INPUT", field: "extensions.e" });
    expect(checkRequestBody({ query: "{ x }", variables: { v: "fine" } })).toBeNull();
    expect(checkRequestBody("not an object")).toBeNull();
  });
});

describe("the JSON scalar", () => {
  it("refuses a value nested 5,000 levels as BAD_USER_INPUT (variables)", () => {
    expect(() => JSONScalar.parseValue(nested(5000))).toThrow(GraphQLError);
    expect(JSONScalar.parseValue({ a: [1, "x", null] })).toEqual({ a: [1, "x", null] });
  });

  it("reads literals without recursion, __proto__ as data, variables by value", () => {
    let literal: ValueNode = { kind: Kind.INT, value: "1" };
    for (let i = 0; i < 5000; i++) literal = { kind: Kind.OBJECT, fields: [{ kind: Kind.OBJECT_FIELD, name: { kind: Kind.NAME, value: "a" }, value: literal }] };
    expect(() => JSONScalar.parseLiteral(literal, undefined)).toThrow(/nested deeper than 32 levels/);
    const value = parse(`{ f(j: { __proto__: { x: 1 }, l: [1, 2.5, "s", true, null, E, $v] }) }`);
    const operation = value.definitions[0];
    if (operation.kind !== Kind.OPERATION_DEFINITION || operation.selectionSet.selections[0].kind !== Kind.FIELD) throw new Error("unexpected");
    const parsed = JSONScalar.parseLiteral(operation.selectionSet.selections[0].arguments![0].value, { v: "var" }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(["__proto__", "l"]);
    expect(parsed.l).toEqual([1, 2.5, "s", true, null, "E", "var"]);
  });
});

describe("variableFieldOf", () => {
  it("reads the variable and the path inside it from graphql-js's coercion errors", () => {
    expect(variableFieldOf('Variable "$n" got invalid value 1099511627776; Int cannot represent non 32-bit signed integer value: 1099511627776')).toBe("n");
    expect(variableFieldOf('Variable "$f" got invalid value "x" at "f.minPrice"; Float cannot represent non numeric value: "x"')).toBe("f.minPrice");
    expect(variableFieldOf('Variable "$r" got invalid value "at \\"x\\";" at "r[0].sku"; Expected type "String".')).toBe("r[0].sku");
    expect(variableFieldOf('Variable "$s" of required type "String!" was not provided.')).toBe("s");
    expect(variableFieldOf("Something else")).toBeNull();
  });
});

describe("operationCost", () => {
  const cost = (query: string, variables: Record<string, unknown> = {}) => operationCost(schema, parse(query), variables, undefined, defaultCostEstimates);

  it("multiplies a page's items by first (or the default page size), not its totals", () => {
    expect(cost(`{ products { totalCount } }`)).toBe(2);
    expect(cost(`{ products(first: 10) { totalCount edges { node { id } } } }`)).toBe(1 + 1 + 10 * 3);
    expect(cost(`{ products { edges { node { id } } } }`)).toBe(1 + 20 * 3);
    expect(cost(`query($n: Int) { products(first: $n) { edges { cursor } } }`, { n: 50 })).toBe(1 + 50 * 2);
  });

  it("costs a tree level by level down to maxDepth", () => {
    // roots (20) x (id, children) + 200 children x id.
    expect(cost(`{ categoryTree(maxDepth: 1) { id children { id } } }`)).toBe(1 + 20 * 2 + 200 * 1);
    // Deeper than maxDepth comes back empty and costs nothing.
    expect(cost(`{ categoryTree(maxDepth: 0) { id children { id } } }`)).toBe(1 + 20 * 2);
    const products = `category { products(first: 100) { edges { node { name } } } }`;
    // 20 + 200 categories with 100 products each.
    expect(cost(`{ categoryTree(maxDepth: 10) { ${products} children { ${products} } } }`)).toBe(1 + 20 * 303 + 200 * 302);
    const everyLevel = `{ categoryTree(maxDepth: 10) { ${products} children { ${products} children { ${products} children { ${products} } } } } }`;
    expect(cost(everyLevel)).toBeGreaterThan(1_000_000);
  });

  it("costs the nested listing of the issue in the millions", () => {
    expect(cost(`{ products(first: 100) { edges { node { category { products(first: 100) { edges { node { category {
      products(first: 100) { edges { node { name } } } } } } } } } } } }`)).toBeGreaterThan(1_000_000);
  });
});
