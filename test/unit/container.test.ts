import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { loadConfig } from "../../src/config";

// No Docker engine runs here: docker-compose.yml and the Dockerfile are checked by reading them.
const root = path.resolve(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

interface Service {
  image?: string;
  build?: unknown;
  init?: boolean;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string; start_period?: string };
}

describe("docker-compose.yml", () => {
  const compose = parse(read("docker-compose.yml")) as { services: Record<string, Service> };
  const { gateway, qdrant } = compose.services;

  it("runs PostgreSQL, Redis, Qdrant and the gateway, each with a healthcheck", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["gateway", "postgres", "qdrant", "redis"]);
    for (const [name, service] of Object.entries(compose.services)) {
      expect([name, service.healthcheck?.test]).toEqual([name, expect.anything()]);
    }
    expect(gateway.healthcheck?.start_period).toMatch(/^\d+s$/);
    expect(qdrant.healthcheck?.start_period).toMatch(/^\d+s$/);
  });

  it("starts the gateway, with an init, once every service it uses is healthy", () => {
    expect(gateway.build).toBeDefined();
    expect(gateway.init).toBe(true);
    expect(gateway.depends_on).toEqual({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
      qdrant: { condition: "service_healthy" },
    });
  });

  it("runs the Qdrant server of the client's major.minor version", () => {
    const client = JSON.parse(read("package.json")).dependencies["@qdrant/js-client-rest"] as string;
    const minor = (version: string) => version.replace(/^[^\d]*/, "").split(".").slice(0, 2).join(".");
    expect(qdrant.image).toMatch(/^qdrant\/qdrant:v\d+\.\d+\.\d+$/);
    expect(minor(qdrant.image!.split(":v")[1])).toBe(minor(client));
  });

  it("mounts the real data read-only where CATALOG_SEED_DIR points", () => {
    const dir = gateway.environment!.CATALOG_SEED_DIR;
    expect(gateway.volumes).toContain(`../shared/data:${dir}:ro`);
  });

  it("gives the gateway only settings src/config.ts knows, with values it accepts", () => {
    const source = read("src/config.ts");
    const env = gateway.environment!;
    expect(Object.keys(env).filter((name) => !new RegExp(`^\\s*${name}:`, "m").test(source))).toEqual([]);
    const config = loadConfig(env);
    expect(config.seed.dir).toBe(env.CATALOG_SEED_DIR);
    expect(config.auth.developmentSecret).toBe(false);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const instructions = dockerfile.split("\n").filter((line) => /^[A-Z]+\b/.test(line));

  it("builds in one stage and runs the compiled gateway from another, as a non-root user", () => {
    expect(instructions.filter((line) => line.startsWith("FROM")).length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev\b/m);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/ts-node|npm start/);
  });

  it("runs node itself (exec form) with a healthcheck that allows for a slow first start", () => {
    const cmd = instructions.filter((line) => line.startsWith("CMD")).at(-1)!;
    expect(JSON.parse(cmd.slice(4))).toEqual(["node", expect.any(String), expect.any(String), "dist/src/index.js"]);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*--start-period=\d+s/m);
  });
});
