import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { ROLES } from "../src/auth";
import { loadConfig } from "../src/config";
import { runCli } from "./cli-support";

const USAGE = `Prints a bearer token signed with the configured JWT_SECRET (the development secret when none is set
outside production), with JWT_ISSUER and JWT_AUDIENCE when they are set.

  npm run token -- --role editor [--role admin] [--subject alice] [--ttl 30d]

In the container: docker compose exec gateway npm run token -- --role editor
Defaults: subject "cli", ttl 30d (jose durations: 2h, 7d, 1y...). Roles: ${ROLES.join(", ")}.`;

runCli(async () => {
  const { values } = parseArgs({
    options: {
      role: { type: "string", multiple: true },
      subject: { type: "string", default: "cli" },
      ttl: { type: "string", default: "30d" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const roles = values.role ?? [];
  if (roles.length === 0) throw new Error(`--role is required (one of ${ROLES.join(", ")})`);
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`--role must be one of ${ROLES.join(", ")}, got ${JSON.stringify(role)}`);
  }
  const { auth } = loadConfig();
  if (!auth.jwtSecret) throw new Error("JWT_SECRET is not set: tokens are verified with JWT_JWKS_URL's keys, which only their issuer can sign with");
  let token = new SignJWT({ roles }).setProtectedHeader({ alg: "HS256" }).setSubject(values.subject).setIssuedAt();
  try {
    token = token.setExpirationTime(values.ttl);
  } catch {
    throw new Error(`--ttl must be a duration such as 30d, 12h or 90m, got ${JSON.stringify(values.ttl)}`);
  }
  if (auth.issuer) token = token.setIssuer(auth.issuer);
  if (auth.audience) token = token.setAudience(auth.audience);
  if (auth.developmentSecret) process.stderr.write("Signed with the built-in development secret: only a gateway without JWT_SECRET accepts it.\n");
  process.stdout.write(`${await token.sign(new TextEncoder().encode(auth.jwtSecret))}\n`);
});
