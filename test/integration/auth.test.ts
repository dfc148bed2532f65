import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from "jose";
import type { Gateway } from "../../src/server";
import { gql } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// Tokens verified with an issuer's public keys (JWT_JWKS_URL), served by a JWKS endpoint of the
// test's own: the right key and role pass; another key, an expired token or a wrong audience do not.
describe("bearer tokens verified against a JWKS URL", () => {
  let gateway: Gateway;
  let jwks: Server;
  let sign: (claims: { roles: string[]; audience?: string; expiresIn?: string }, key?: KeyLike) => Promise<string>;
  let strangerKey: KeyLike;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    strangerKey = (await generateKeyPair("ES256")).privateKey;
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    jwks = createServer((_req, res) => res.setHeader("content-type", "application/json").end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
    sign = ({ roles, audience = "catalog", expiresIn = "5m" }, key = privateKey) =>
      new SignJWT({ roles }).setProtectedHeader({ alg: "ES256", kid: "k1" }).setSubject("ci").setIssuer("https://issuer.test")
        .setAudience(audience).setIssuedAt().setExpirationTime(expiresIn).sign(key);
  });
  const fixture = useGateway({
    label: "jwks",
    catalog: { products: 20, categories: 5 },
    env: () => ({
      JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
      JWT_ISSUER: "https://issuer.test",
      JWT_AUDIENCE: "catalog",
    }),
  });
  beforeAll(() => {
    ({ gateway } = fixture);
  });
  afterAll(() => jwks?.close());

  const rename = `mutation { updateCategory(id: "1", input: { name: "Renamed by JWKS" }) { name } }`;
  const as = async (token: string) => gql(gateway.url, rename, {}, { authorization: `Bearer ${token}` });

  it("accepts a token signed by the issuer's key with the editor role", async () => {
    expect((await as(await sign({ roles: ["editor"] }))).data).toEqual({ updateCategory: { name: "Renamed by JWKS" } });
  });

  it("refuses another key, an expired token and a wrong audience with UNAUTHENTICATED", async () => {
    for (const token of [
      await sign({ roles: ["editor"] }, strangerKey),
      await sign({ roles: ["editor"], expiresIn: "-1m" }),
      await sign({ roles: ["editor"], audience: "someone-else" }),
    ]) {
      expect((await as(token)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
  });

  it("refuses a valid token without the role with FORBIDDEN", async () => {
    expect((await as(await sign({ roles: ["viewer"] }))).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
