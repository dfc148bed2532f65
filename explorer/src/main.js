// The offline explorer: GraphiQL bundled with its editor (Monaco) and workers, served by the
// gateway at /graphiql from explorer/dist, so nothing loads from a CDN.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import "graphiql/style.css";

// Monaco runs its language services in workers; each is bundled beside this file (explorer/build.cjs).
const here = new URL(".", import.meta.url);
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const file = label === "json" ? "json.worker.js" : label === "graphql" ? "graphql.worker.js" : "editor.worker.js";
    return new Worker(new URL(file, here), { type: "module" });
  },
};

const DEFAULT_QUERY = `# The catalog's departments. Press the run button (or Ctrl-Enter); the docs are on the left.
query FirstLook {
  categoryTree(maxDepth: 1) {
    name
    slug
    category {
      productCount
    }
  }
}
`;

const endpoint = new URL(document.body.dataset.endpoint ?? "/", location.href).href;
const fetcher = createGraphiQLFetcher({ url: endpoint });
createRoot(document.getElementById("graphiql")).render(
  createElement(GraphiQL, { fetcher, defaultQuery: DEFAULT_QUERY, defaultEditorToolsVisibility: true }),
);
