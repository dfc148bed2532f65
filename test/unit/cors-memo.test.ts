import cors from "cors";
import type { IncomingMessage, ServerResponse } from "node:http";
import { memoizeCors } from "../../src/edge/cors-memo";

// A response that records its headers, as the handler's real one would receive them.
function response() {
  const headers = new Map<string, unknown>();
  const res = {
    headers,
    statusCode: 200,
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    setHeader: (name: string, value: unknown) => void headers.set(name.toLowerCase(), value),
    end: () => undefined,
  };
  return res as unknown as ServerResponse & { headers: Map<string, unknown> };
}

const request = (method: string, origin?: string) => ({ method, headers: origin === undefined ? {} : { origin, "access-control-request-headers": "content-type" } }) as unknown as IncomingMessage;

describe("memoizeCors", () => {
  const options = { origin: ["https://shop.example"], credentials: true };

  it("sets, for each origin and every time, the headers the cors package sets", () => {
    const plain = cors(options);
    const memo = memoizeCors(cors(options));
    for (const origin of ["https://shop.example", "https://evil.example", undefined, "https://shop.example", undefined, "https://evil.example"]) {
      const [expected, actual] = [response(), response()];
      let nextCalls = 0;
      plain(request("POST", origin), expected, () => undefined);
      memo(request("POST", origin), actual, () => void (nextCalls += 1));
      expect(Object.fromEntries(actual.headers)).toEqual(Object.fromEntries(expected.headers));
      expect(nextCalls).toBe(1);
    }
  });

  it("leaves preflights to the package", () => {
    const memo = memoizeCors(cors(options));
    const res = response();
    memo(request("OPTIONS", "https://shop.example"), res, () => undefined);
    expect(res.headers.get("access-control-allow-methods")).toBeDefined();
    expect(res.statusCode).toBe(204);
  });
});
