import type { Embedder } from "./embedder";
import { createHttpEmbedder } from "./http-embedder";
import { createLocalEmbedder } from "./local-embedder";

/** What `createEmbedder` reads of the configuration (EMBEDDER, EMBEDDER_*: see src/config.ts for defaults). */
export type EmbedderConfig =
  | { kind: "local"; dimensions: number }
  | { kind: "http"; dimensions: number; url: string; model: string; apiKey?: string; timeoutMs: number; batchSize: number };

/** The configured embedder (EMBEDDER: local by default, http for an OpenAI-compatible endpoint). */
export function createEmbedder(config: EmbedderConfig): Embedder {
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
