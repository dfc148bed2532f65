import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from "jose";
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

/**
 * Verifies `Authorization: Bearer <jwt>` with jose: HS256 with JWT_SECRET, or the issuer's keys
 * from JWT_JWKS_URL (RS256/ES256/EdDSA); `exp`, `nbf`, and `iss`/`aud` when configured, are checked.
 * Reads need no token; a token that is present but bad is remembered, so a write can say why.
 */
export function createAuthenticator(config: Config["auth"]): Authenticator {
  const secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : undefined;
  const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  const options = {
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  };

  async function verify(token: string): Promise<JWTPayload> {
    if (jwks) return (await jwtVerify(token, jwks, options)).payload;
    return (await jwtVerify(token, secret!, { ...options, algorithms: ["HS256"] })).payload;
  }

  return async function authenticate(authorization: string | undefined | null): Promise<Authentication> {
    if (!authorization) return { kind: "anonymous" };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) return { kind: "invalid", reason: "the Authorization header must be `Bearer <token>`" };
    try {
      const payload = await verify(match[1]);
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((role): role is string => typeof role === "string") : [];
      return { kind: "viewer", viewer: { subject: payload.sub ?? "unknown", roles } };
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
