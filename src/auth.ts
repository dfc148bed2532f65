import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { LRUCache } from "lru-cache";
import type { Config } from "./config";
import { ErrorCode } from "./errors";
import { GraphQLError } from "graphql";

/** The roles writes check: `editor` writes the catalog; `admin` also warms and retires the cache. */
export const ROLES = ["editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** A verified caller: the token's subject and roles. */
export interface Viewer {
  subject: string;
  roles: string[];
}

/** What the bearer token of a request said: nobody, a verified viewer, or why it was refused. */
export type Authentication = { kind: "anonymous" } | { kind: "viewer"; viewer: Viewer } | { kind: "invalid"; reason: string };

/** Reads the `Authorization` header of a request (undefined or null: none was sent). */
export type Authenticator = (authorization: string | undefined | null) => Promise<Authentication>;

/** How many verified tokens are remembered when nothing else is configured (AUTH_TOKEN_CACHE_SIZE). */
export const defaultTokenCacheSize = 10_000;

/** How long a verified token is remembered at most when nothing else is configured (AUTH_TOKEN_CACHE_SECONDS), seconds. */
export const defaultTokenCacheSeconds = 60;

/** Tokens longer than this are verified every time, never remembered (they would crowd the cache). */
const MAX_REMEMBERED_TOKEN_LENGTH = 4096;

export interface TokenCacheOptions {
  /** Verified tokens remembered (least recently used dropped first); 0 verifies every request. Default `defaultTokenCacheSize`. */
  maxEntries?: number;
  /** A verdict is reused for at most this long, and never past the token's `exp`, seconds. Default `defaultTokenCacheSeconds`. */
  maxAgeSeconds?: number;
}

/** Checks a bearer token's signature and claims; throws when it is not valid (jose's `jwtVerify`). */
export type TokenVerifier = (token: string) => Promise<JWTPayload>;

/**
 * Verifies `Authorization: Bearer <jwt>` with jose: HS256 with JWT_SECRET, or the issuer's keys
 * from JWT_JWKS_URL (RS256/ES256/EdDSA); `exp`, `nbf`, and `iss`/`aud` when configured, are checked.
 * Reads need no token; a token that is present but bad is remembered, so a write can say why.
 * Verified tokens are remembered (`rememberVerified`).
 */
export function createAuthenticator(config: Config["auth"], cacheOptions: TokenCacheOptions = {}): Authenticator {
  const secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : undefined;
  const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  const options = {
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  };
  return rememberVerified(async (token) => {
    if (jwks) return (await jwtVerify(token, jwks, options)).payload;
    return (await jwtVerify(token, secret!, { ...options, algorithms: ["HS256"] })).payload;
  }, cacheOptions);
}

/**
 * An authenticator over `verify` that remembers verified tokens per token string (a bounded LRU),
 * until their `exp` and at most `maxAgeSeconds`. Why: a signed-in reader's request answered from
 * the whole-response cache then costs a map lookup, not a signature check (an HS256 verify costs
 * about as much as the rest of a hit), and a miss, whose token is read twice (admission, then the
 * context), is verified once. A verdict depends only on the token, the keys and the clock: the
 * clock is bounded by `exp`; keys are not read again (a key a JWKS issuer withdraws keeps
 * verifying its tokens for up to `maxAgeSeconds`). Refused tokens are never remembered, so a
 * token that becomes valid (`nbf`, a key published later) is not refused for longer than a request.
 */
export function rememberVerified(verify: TokenVerifier, cacheOptions: TokenCacheOptions = {}): Authenticator {
  const maxEntries = cacheOptions.maxEntries ?? defaultTokenCacheSize;
  const maxAgeMs = (cacheOptions.maxAgeSeconds ?? defaultTokenCacheSeconds) * 1000;
  const verified = maxEntries > 0 && maxAgeMs > 0 ? new LRUCache<string, Authentication>({ max: maxEntries }) : null;

  function remember(token: string, payload: JWTPayload, authentication: Authentication): void {
    if (!verified || token.length > MAX_REMEMBERED_TOKEN_LENGTH) return;
    // Never past `exp` (seconds since the epoch), on the wall clock as jose checks it.
    const untilExpiryMs = typeof payload.exp === "number" ? payload.exp * 1000 - Date.now() : Infinity;
    const ttl = Math.floor(Math.min(maxAgeMs, untilExpiryMs));
    if (ttl >= 1) verified.set(token, authentication, { ttl });
  }

  return async function authenticate(authorization: string | undefined | null): Promise<Authentication> {
    if (!authorization) return { kind: "anonymous" };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) return { kind: "invalid", reason: "the Authorization header must be `Bearer <token>`" };
    const token = match[1];
    const known = verified?.get(token);
    if (known) return known;
    try {
      const payload = await verify(token);
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((role): role is string => typeof role === "string") : [];
      const authentication: Authentication = Object.freeze({ kind: "viewer", viewer: Object.freeze({ subject: payload.sub ?? "unknown", roles }) });
      remember(token, payload, authentication);
      return authentication;
    } catch (error) {
      return { kind: "invalid", reason: `the bearer token was refused: ${(error as Error).message}` };
    }
  };
}

/**
 * Throws UNAUTHENTICATED without a valid token, FORBIDDEN when the token lacks `role` (an admin
 * may do what an editor may). Called first in every mutation, so a refused write changes nothing.
 */
export function requireRole(authentication: Authentication, role: Role): Viewer {
  if (authentication.kind === "anonymous") {
    throw new GraphQLError(`This operation needs a bearer token with the ${role} role`, {
      extensions: { code: ErrorCode.UNAUTHENTICATED },
    });
  }
  if (authentication.kind === "invalid") {
    throw new GraphQLError(`Not authenticated: ${authentication.reason}`, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
  }
  const { viewer } = authentication;
  const granted = viewer.roles.includes(role) || (role === "editor" && viewer.roles.includes("admin"));
  if (!granted) {
    throw new GraphQLError(`This operation needs the ${role} role; the token has ${JSON.stringify(viewer.roles)}`, {
      extensions: { code: ErrorCode.FORBIDDEN },
    });
  }
  return viewer;
}

/** Signs an HS256 token with `roles`, for development and tests. Default lifetime 30 days. */
export async function signToken(secret: string, subject: string, roles: string[], lifetime = "30d"): Promise<string> {
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(lifetime)
    .sign(new TextEncoder().encode(secret));
}
