import { jwtVerify } from "jose";
import { createAuthenticator, rememberVerified, signToken, type TokenVerifier } from "../../src/auth";

/**
 * Verified bearer tokens are remembered per token string: the real HS256 verification (jose)
 * wrapped in a spy that counts the tokens it is asked to check.
 */

const secret = "token-cache-secret-token-cache-secret-0123";
const key = new TextEncoder().encode(secret);

function countingVerifier(): { verify: TokenVerifier; calls: string[] } {
  const calls: string[] = [];
  const verify: TokenVerifier = async (token) => {
    calls.push(token);
    return (await jwtVerify(token, key, { algorithms: ["HS256"] })).payload;
  };
  return { verify, calls };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("verified tokens remembered per token string", () => {
  it("verifies a token once, then answers it from memory with the same viewer", async () => {
    const { verify, calls } = countingVerifier();
    const authenticate = rememberVerified(verify);
    const token = await signToken(secret, "shopper-1", ["editor"]);
    const first = await authenticate(`Bearer ${token}`);
    expect(first).toEqual({ kind: "viewer", viewer: { subject: "shopper-1", roles: ["editor"] } });
    for (let i = 0; i < 5; i += 1) expect(await authenticate(`bearer  ${token}`)).toEqual(first);
    expect(calls).toHaveLength(1);
    // Another token is another entry.
    const other = await signToken(secret, "shopper-2", []);
    expect(await authenticate(`Bearer ${other}`)).toEqual({ kind: "viewer", viewer: { subject: "shopper-2", roles: [] } });
    expect(calls).toHaveLength(2);
  });

  it("never remembers a refused token: a forged one is checked (and refused) every time", async () => {
    const { verify, calls } = countingVerifier();
    const authenticate = rememberVerified(verify);
    const forged = `${(await signToken(secret, "mallory", ["admin"])).slice(0, -4)}AAAA`;
    for (let i = 0; i < 3; i += 1) expect((await authenticate(`Bearer ${forged}`)).kind).toBe("invalid");
    expect(calls).toHaveLength(3);
    expect((await authenticate("Basic abc")).kind).toBe("invalid");
    expect(await authenticate(undefined)).toEqual({ kind: "anonymous" });
    expect(calls).toHaveLength(3);
  });

  it("forgets a token when it expires, whatever the cache's own lifetime", async () => {
    const { verify, calls } = countingVerifier();
    const authenticate = rememberVerified(verify, { maxAgeSeconds: 3600 });
    const token = await signToken(secret, "short", [], "2s");
    expect((await authenticate(`Bearer ${token}`)).kind).toBe("viewer");
    expect((await authenticate(`Bearer ${token}`)).kind).toBe("viewer");
    expect(calls).toHaveLength(1);
    // `exp` has whole seconds: wait until it is surely past.
    await sleep(2100);
    const after = await authenticate(`Bearer ${token}`);
    expect(after.kind).toBe("invalid");
    expect(calls).toHaveLength(2);
  });

  it("forgets a token after maxAgeSeconds, keeps at most maxEntries, and remembers nothing with 0", async () => {
    const aged = countingVerifier();
    const shortLived = rememberVerified(aged.verify, { maxAgeSeconds: 0.2 });
    const token = await signToken(secret, "aged", []);
    await shortLived(`Bearer ${token}`);
    await shortLived(`Bearer ${token}`);
    await sleep(250);
    await shortLived(`Bearer ${token}`);
    expect(aged.calls).toHaveLength(2);

    const bounded = countingVerifier();
    const small = rememberVerified(bounded.verify, { maxEntries: 2 });
    const tokens = await Promise.all(["a", "b", "c"].map((subject) => signToken(secret, subject, [])));
    for (const t of tokens) await small(`Bearer ${t}`);
    await small(`Bearer ${tokens[2]}`); // remembered
    await small(`Bearer ${tokens[0]}`); // the least recently used, dropped
    expect(bounded.calls).toEqual([...tokens, tokens[0]]);

    const off = countingVerifier();
    const none = rememberVerified(off.verify, { maxEntries: 0 });
    await none(`Bearer ${token}`);
    await none(`Bearer ${token}`);
    expect(off.calls).toHaveLength(2);
  });

  it("is what createAuthenticator builds over the configured secret", async () => {
    const authenticate = createAuthenticator({ jwtSecret: secret, developmentSecret: false, tokenCache: { maxEntries: 10, maxAgeSeconds: 60 } });
    const token = await signToken(secret, "configured", ["admin"]);
    expect(await authenticate(`Bearer ${token}`)).toEqual({ kind: "viewer", viewer: { subject: "configured", roles: ["admin"] } });
    expect((await authenticate(`Bearer ${await signToken("another-secret-another-secret-another-0123", "x", [])}`)).kind).toBe("invalid");
  });
});
