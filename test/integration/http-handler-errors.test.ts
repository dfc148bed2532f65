import type { ApolloServerPlugin } from "@apollo/server";
import pino from "pino";
import { Gauge } from "prom-client";
import type { Context } from "../../src/context";
import { useGateway } from "../helpers/use-gateway";

// A request that fails past Apollo's own error handling (a bug: a ReferenceError once hid here) is
// logged at level error with what identifies it, counted, and answered 500 with a coded GraphQL error.

/** Every line the gateway logged at level error, parsed. */
const logged: Record<string, any>[] = [];
const logger = pino({ level: "error" }, { write: (line: string) => void logged.push(JSON.parse(line)) });

// A fault no client can cause: a response header Node refuses (a newline in its value), set when a test asks for it.
const badHeader: ApolloServerPlugin<Context> = {
  async requestDidStart({ request }) {
    if (!request.http?.headers.get("x-test-bad-header")) return;
    return {
      async willSendResponse({ response }) {
        response.http.headers.set("x-bad", "line\nbreak");
      },
    };
  },
};

const internalError = { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] };

describe("a request that fails unexpectedly", () => {
  const fixture = useGateway({ label: "handlererr", database: "pglite", parts: { logger, plugins: [badHeader] } });
  beforeEach(() => void logged.splice(0));

  // Requests answered with result "error" in the per-operation series (src/plugins/telemetry.ts).
  const errorCount = async () => {
    const metric = await fixture.gateway.registry.getSingleMetric("catalog_operation_duration_seconds")!.get();
    const counts = (metric.values as { metricName?: string; labels: Record<string, unknown>; value: number }[]).filter((value) => value.metricName?.endsWith("_count"));
    return counts.filter((value) => value.labels.result === "error").reduce((sum, value) => sum + value.value, 0);
  };

  it("is logged with its method, path and operation, counted as an error, and answered 500 with a code", async () => {
    const before = await errorCount();
    const response = await fetch(fixture.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-test-bad-header": "1" },
      body: JSON.stringify({ query: "query Failing { __typename }" }),
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual(internalError);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, method: "POST", path: "/", operation: "Failing", msg: "request failed unexpectedly: answered 500" });
    expect(logged[0].err).toMatchObject({ type: "TypeError", message: expect.stringContaining("x-bad") });
    expect((await errorCount()) - before).toBe(1);

    // The same request without the fault is answered, and logs nothing.
    logged.splice(0);
    const fine = await fetch(fixture.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "query Fine { __typename }" }) });
    expect(await fine.json()).toEqual({ data: { __typename: "Query" } });
    expect(logged).toEqual([]);
  });

  it("on a GET route (/metrics) is logged with its method and path, and answered 500 with a code", async () => {
    const { registry } = fixture.gateway;
    new Gauge({
      name: "test_failing_collector",
      help: "a collector that throws",
      registers: [registry],
      collect() {
        throw new RangeError("collector failed");
      },
    });
    try {
      const response = await fetch(new URL("/metrics", fixture.url));
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual(internalError);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 50, method: "GET", path: "/metrics", operation: null, err: { type: "RangeError", message: "collector failed" } });
    } finally {
      registry.removeSingleMetric("test_failing_collector");
    }
    expect((await fetch(new URL("/metrics", fixture.url))).status).toBe(200);
  });
});
