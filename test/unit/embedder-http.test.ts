import http from "node:http";
import type { AddressInfo } from "node:net";
import { EmbedderError } from "../../src/data/search/embedder";
import { createHttpEmbedder } from "../../src/data/search/http-embedder";

// The HTTP embedder over real HTTP against a small local server that speaks the OpenAI
// /embeddings shape (a stand-in for OpenAI, Ollama or vLLM, which cannot be reached here).
describe("HTTP embedder (OpenAI-compatible /embeddings, local stand-in server)", () => {
  let server: http.Server;
  let url: string;
  const requests: { path: string; authorization?: string; body: { model: string; input: string[]; dimensions: number } }[] = [];
  let reply: (input: string[]) => { status: number; body: unknown } = (input) => ({
    status: 200,
    // Reversed order with explicit indexes: the client must place each embedding by its index.
    body: { data: input.map((text, index) => ({ index, embedding: [text.length, 1, 0, 0] })).reverse() },
  });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = "";
      req.on("data", (chunk) => (raw += chunk));
      req.on("end", () => {
        const body = JSON.parse(raw);
        requests.push({ path: req.url!, authorization: req.headers.authorization, body });
        const { status, body: out } = reply(body.input);
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(out));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (requests.length = 0));

  const embedder = (overrides: Partial<Parameters<typeof createHttpEmbedder>[0]> = {}) =>
    createHttpEmbedder({ url, model: "text-embedding-3-small", apiKey: "sk-test", dimensions: 4, timeoutMs: 2000, batchSize: 2, ...overrides });

  it("posts {model, input, dimensions} to <url>/embeddings in batches, with the bearer key", async () => {
    const vectors = await embedder().embed(["a", "bbb", "cc"], "document");
    expect(requests.map((r) => r.path)).toEqual(["/v1/embeddings", "/v1/embeddings"]);
    expect(requests[0].body).toMatchObject({ model: "text-embedding-3-small", input: ["a", "bbb"], dimensions: 4 });
    expect(requests[1].body.input).toEqual(["cc"]);
    expect(requests[0].authorization).toBe("Bearer sk-test");
    // Placed by index and scaled to unit length: [len, 1, 0, 0] / |.|
    expect(vectors.map((v) => Number((v[0] / v[1]).toFixed(3)))).toEqual([1, 3, 2]);
    for (const v of vectors) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    expect(embedder().model).toBe("http:text-embedding-3-small/4");
  });

  it("fails with an EmbedderError on a non-2xx status, a wrong count or a wrong dimension", async () => {
    reply = () => ({ status: 429, body: { error: "rate limited" } });
    await expect(embedder().embed(["a"], "query")).rejects.toThrow(EmbedderError);
    await expect(embedder().embed(["a"], "query")).rejects.toThrow(/429/);
    reply = () => ({ status: 200, body: { data: [] } });
    await expect(embedder().embed(["a"], "query")).rejects.toThrow(/0 embeddings for 1 texts/);
    reply = (input) => ({ status: 200, body: { data: input.map((_, index) => ({ index, embedding: [1, 2] })) } });
    await expect(embedder().embed(["a"], "query")).rejects.toThrow(/2 numbers; 4 were configured/);
  });

  it("fails with an EmbedderError when nothing answers", async () => {
    await expect(embedder({ url: "http://127.0.0.1:9/v1" }).embed(["a"], "query")).rejects.toThrow(EmbedderError);
  });
});
