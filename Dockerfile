# The gateway's image, in three stages: the build (every dependency, generate + tsc), the production
# dependencies alone, and the runtime (production dependencies and the compiled gateway, no
# TypeScript, no test or codegen tooling), run as the unprivileged `node` user.
#   docker build -t catalog-gateway .
#   docker run --init -p 4000:4000 -e JWT_SECRET=... catalog-gateway

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Prisma client and GraphQL types, then tsc to dist/ (schema.graphql and migrations copied beside it).
RUN npm run build

FROM node:20-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/explorer/dist ./explorer/dist
# `npm run token` runs dist/scripts/token.js through scripts/run.cjs (no TypeScript source here).
COPY package.json ./
COPY scripts/run.cjs ./scripts/run.cjs
# The embedded database's folder (PGLITE_DATA_DIR, when DATABASE_URL is unset) must be writable.
RUN mkdir -p .data && chown node:node .data
USER node
EXPOSE 4000
# HTTP opens at once and /health answers while the catalog is prepared (migrations, first seed,
# embedding; /ready says which step runs); start_period still covers a slow first start.
HEALTHCHECK --interval=10s --timeout=3s --start-period=180s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (the gateway drains and stops on it); run
# with `--init` (compose: `init: true`) so a tiny init reaps zombies and forwards signals.
CMD ["node", "--experimental-vm-modules", "--no-warnings=ExperimentalWarning", "dist/src/index.js"]
