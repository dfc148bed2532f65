import type { SearchConfig } from "../../config";
import type { Embedder } from "./embedder";
import { createHttpEmbedder } from "./http-embedder";
import { createLocalEmbedder } from "./local-embedder";

/** The configured embedder (EMBEDDER: local by default, http for an OpenAI-compatible endpoint). */
export function createEmbedder(config: SearchConfig["embedder"]): Embedder {
  switch (config.kind) {
    case "local":
      return createLocalEmbedder(config.dimensions);
    case "http":
      return createHttpEmbedder(config);
    default: {
      const never: never = config;
      throw new Error(`Unknown embedder ${JSON.stringify(never)}`);
    }
  }
}
