import { EmbedderError, normalizeInPlace, type Embedder } from "./embedder";

export interface HttpEmbedderOptions {
  /** Base URL of an OpenAI-compatible API; requests go to `<url>/embeddings`. */
  url: string;
  model: string;
  apiKey?: string;
  /** Asked of the model (`dimensions` in the request) and checked on every reply. */
  dimensions: number;
  /** Per request, ms. */
  timeoutMs: number;
  /** Texts per request. */
  batchSize: number;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/**
 * An `Embedder` over an OpenAI-compatible `POST /embeddings` (OpenAI, Azure OpenAI, Ollama, vLLM,
 * LM Studio, text-embeddings-inference...): `{model, input: [...], dimensions}` in, `{data:
 * [{index, embedding}]}` out. Texts are sent `batchSize` at a time, one request after another; any
 * failure (network, timeout, a non-2xx status, a reply of the wrong shape or length) is an
 * `EmbedderError`, which the search turns into a text-only answer with a notice.
 */
export function createHttpEmbedder(options: HttpEmbedderOptions): Embedder {
  const endpoint = `${options.url.replace(/\/+$/, "")}/embeddings`;
  const send = options.fetch ?? fetch;
  return {
    model: `http:${options.model}/${options.dimensions}`,
    dimensions: options.dimensions,
    async embed(texts) {
      const out: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += options.batchSize) {
        out.push(...(await request(texts.slice(start, start + options.batchSize))));
      }
      return out;
    },
  };

  async function request(input: readonly string[]): Promise<Float32Array[]> {
    let response: Response;
    try {
      response = await send(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
        body: JSON.stringify({ model: options.model, input, dimensions: options.dimensions, encoding_format: "float" }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new EmbedderError(`The embedder at ${endpoint} did not answer: ${(error as Error).message}`);
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => "")).slice(0, 200);
      throw new EmbedderError(`The embedder at ${endpoint} answered ${response.status}: ${detail}`);
    }
    const body = (await response.json().catch(() => null)) as { data?: { index?: number; embedding?: unknown }[] } | null;
    if (!body || !Array.isArray(body.data) || body.data.length !== input.length) {
      throw new EmbedderError(`The embedder at ${endpoint} returned ${body?.data?.length ?? "no"} embeddings for ${input.length} texts`);
    }
    const vectors: Float32Array[] = new Array(input.length);
    body.data.forEach((item, position) => {
      const index = item.index ?? position;
      const embedding = item.embedding;
      if (!Array.isArray(embedding) || embedding.length !== options.dimensions || !embedding.every((x) => typeof x === "number")) {
        throw new EmbedderError(`The embedder at ${endpoint} returned an embedding of ${Array.isArray(embedding) ? embedding.length : "no"} numbers; ${options.dimensions} were configured`);
      }
      if (!Number.isInteger(index) || index < 0 || index >= input.length || vectors[index]) {
        throw new EmbedderError(`The embedder at ${endpoint} returned an embedding with index ${JSON.stringify(item.index)}`);
      }
      vectors[index] = normalizeInPlace(Float32Array.from(embedding as number[]));
    });
    return vectors;
  }
}
