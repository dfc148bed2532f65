import { mkdtempSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRedisClient } from "../../src/cache/redis-client";
import { createRateLimits, type Caller, type RateLimitOptions } from "../../src/edge/rate-limit";
import { createClientAddress } from "../../src/edge/rate-limit-address";
import { createTrustedDocuments, sha256Hex } from "../../src/edge/trusted-documents";
import { rejectionReason } from "../../src/plugins/telemetry";

function request(socketAddress: string, forwardedFor?: string): IncomingMessage {
  const socket = { remoteAddress: socketAddress };
  return { socket, connection: socket, headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {} } as unknown as IncomingMessage;
}

describe("createClientAddress", () => {
  test("without trusted proxies, X-Forwarded-For is never read", () => {
    expect(createClientAddress([])(request("10.0.0.5", "203.0.113.9"))).toBe("10.0.0.5");
  });

  test("a trusted proxy's X-Forwarded-For names the client; entries an untrusted hop added are not believed", () => {
    const clientOf = createClientAddress(["10.0.0.0/8"]);
    expect(clientOf(request("10.0.0.5", "203.0.113.9"))).toBe("203.0.113.9");
    // The client wrote 1.1.1.1 itself: the nearest untrusted address is the client.
    expect(clientOf(request("10.0.0.5", "1.1.1.1, 203.0.113.9"))).toBe("203.0.113.9");
    expect(clientOf(request("198.51.100.7", "203.0.113.9"))).toBe("198.51.100.7");
  });

  test("a bad proxy list throws (the configuration reports it)", () => {
    expect(() => createClientAddress(["not-an-address"])).toThrow();
  });
});

const small: RateLimitOptions = {
  ip: { points: 10, windowSeconds: 60 },
  subject: { points: 20, windowSeconds: 60 },
  writes: { points: 2, windowSeconds: 60 },
  failedAuth: { points: 1, windowSeconds: 300 },
};
const anonymous = (ip: string): Caller => ({ ip, subject: null, failedAuth: false, write: false });

describe("createRateLimits (in process)", () => {
  test("charges by cost, per IP or per subject, and says which budget and when to retry", async () => {
    const limits = createRateLimits(null, small, (budget) => `t:${budget}`);
    expect(await limits.charge(anonymous("a"), 6)).toBeNull();
    expect(await limits.charge(anonymous("a"), 4)).toBeNull();
    const refusal = await limits.charge(anonymous("a"), 1);
    expect(refusal).toMatchObject({ budget: "ip" });
    expect(refusal!.retryAfterSeconds).toBeGreaterThan(0);
    expect(refusal!.retryAfterSeconds).toBeLessThanOrEqual(60);
    // A subject has its own budget, wherever it comes from.
    expect(await limits.charge({ ...anonymous("a"), subject: "editor-1" }, 15)).toBeNull();
  });

  test("a write and a bad token spend their own budgets too; the longest wait is reported", async () => {
    const limits = createRateLimits(null, small, (budget) => `t2:${budget}`);
    const caller: Caller = { ip: "b", subject: null, failedAuth: true, write: true };
    expect(await limits.charge(caller, 1)).toBeNull();
    const refusal = await limits.charge(caller, 1);
    expect(refusal?.budget).toBe("failed-auth");
    expect(refusal!.retryAfterSeconds).toBeGreaterThan(60);
  });

  test("an operation over the whole budget spends all of it, and passes once", async () => {
    const limits = createRateLimits(null, small, (budget) => `t3:${budget}`);
    expect(await limits.charge(anonymous("c"), 1_000)).toBeNull();
    expect(await limits.charge(anonymous("c"), 1)).toMatchObject({ budget: "ip" });
  });
});

test("small charges add up in process and go out as one batch (1% of the budget): the overshoot is at most a batch", async () => {
  const limits = createRateLimits(null, { ...small, ip: { points: 200, windowSeconds: 60 }, flushIntervalMs: 3_600_000 }, (budget) => `t5:${budget}`);
  try {
    expect(await limits.charge(anonymous("e"), 199)).toBeNull();
    // 1 < the batch of 2: kept in process, not refused yet although the shared count would.
    expect(await limits.charge(anonymous("e"), 1)).toBeNull();
    expect(await limits.charge(anonymous("e"), 1)).toMatchObject({ budget: "ip" });
    // Refused from memory now, until the window ends.
    expect(await limits.charge(anonymous("e"), 1)).toMatchObject({ budget: "ip" });
  } finally {
    await limits.close();
  }
});

test("with Redis unreachable, the in-process insurance limiter keeps counting", async () => {
  const redis = createRedisClient({ url: "redis://127.0.0.1:1", connectTimeoutMs: 200 });
  try {
    const limits = createRateLimits(redis, small, (budget) => `t4:${budget}`);
    expect(await limits.charge(anonymous("d"), 10)).toBeNull();
    expect(await limits.charge(anonymous("d"), 1)).toMatchObject({ budget: "ip" });
  } finally {
    redis.disconnect();
  }
});

test("rejectionReason: a limit's name, or a closed set of reasons", () => {
  expect(rejectionReason("QUERY_TOO_COMPLEX", "depth")).toBe("depth");
  expect(rejectionReason("QUERY_TOO_COMPLEX", "made-up")).toBe("other");
  expect(rejectionReason("RATE_LIMITED", "ip")).toBe("rate_limit");
  expect(rejectionReason("UNTRUSTED_DOCUMENT")).toBe("untrusted_document");
  expect(rejectionReason("GRAPHQL_PARSE_FAILED")).toBe("bad_input");
  expect(rejectionReason("SOMETHING_ELSE")).toBe("other");
});

describe("createTrustedDocuments", () => {
  const text = "query Known { __typename }";
  const dir = mkdtempSync(path.join(tmpdir(), "manifest-"));
  const manifestPath = path.join(dir, "persisted-documents.json");
  writeFileSync(manifestPath, JSON.stringify({ [`sha256:${sha256Hex(text)}`]: text }));
  const documents = (mode: "off" | "allow" | "require") =>
    createTrustedDocuments({ mode, manifestPaths: [manifestPath], ttlSeconds: 60 }, null, (hash) => `apq:${hash}`);
  const nobody = async () => false;

  test("a documentId or a manifest hash becomes the text; other extensions stay", async () => {
    const docs = documents("allow");
    expect(docs.operationNames).toEqual(new Set(["Known"]));
    expect(await docs.prepare({ documentId: `sha256:${sha256Hex(text)}`, variables: { a: 1 } }, nobody)).toEqual({ body: { variables: { a: 1 }, query: text } });
    const hashed = { extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(text) }, other: true } };
    expect(await docs.prepare(hashed, nobody)).toEqual({ body: { query: text, extensions: { other: true } } });
  });

  test("an unknown documentId goes to APQ; require mode refuses an untrusted text or hash unless the caller is an editor", async () => {
    expect(await documents("allow").prepare({ documentId: "sha256:abc" }, nobody)).toEqual({ body: { extensions: { persistedQuery: { version: 1, sha256Hash: "abc" } } } });
    const docs = documents("require");
    expect(await docs.prepare({ documentId: "sha256:abc" }, nobody)).toMatchObject({ refusal: { status: 403, code: "UNTRUSTED_DOCUMENT" } });
    expect(await docs.prepare({ documentId: "sha256:abc" }, async () => true)).toEqual({ body: { extensions: { persistedQuery: { version: 1, sha256Hash: "abc" } } } });
    expect(await docs.prepare({ query: "{ __typename }" }, nobody)).toMatchObject({ refusal: { status: 403, code: "UNTRUSTED_DOCUMENT" } });
    expect(await docs.prepare({ query: "{ __typename }" }, async () => true)).toEqual({ body: { query: "{ __typename }" } });
    expect(await docs.prepare({ query: text }, nobody)).toEqual({ body: { query: text } });
  });

  test("off refuses documentId; a manifest whose hash does not match its text fails the start", async () => {
    expect(await documents("off").prepare({ documentId: "sha256:abc" }, nobody)).toMatchObject({ refusal: { code: "PERSISTED_QUERY_NOT_SUPPORTED" } });
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ "sha256:0000": text }));
    expect(() => createTrustedDocuments({ mode: "allow", manifestPaths: [bad], ttlSeconds: 60 }, null, (hash) => hash)).toThrow(/does not hash to it/);
  });
});
