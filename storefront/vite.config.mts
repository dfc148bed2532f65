import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The storefront's build: served by the gateway at /storefront/ (src/http-static.ts), so every asset
 * URL starts there. `npm run storefront` runs the dev server, which sends GraphQL (POST /graphql) to
 * the gateway at GATEWAY_URL (default http://localhost:4000).
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/storefront/",
  build: { outDir: "dist", emptyOutDir: true, assetsInlineLimit: 0 },
  server: {
    port: 5173,
    proxy: { "/graphql": { target: process.env.GATEWAY_URL ?? "http://localhost:4000", changeOrigin: true } },
  },
});
