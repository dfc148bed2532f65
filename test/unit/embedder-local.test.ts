import { cosine } from "../../src/data/search/embedder";
import { createLocalEmbedder, tokenize } from "../../src/data/search/local-embedder";
import { productDocument } from "../../src/data/search/product-document";

describe("local embedder", () => {
  const embedder = createLocalEmbedder(128);
  const doc = (name: string, brand = "Brand", description = "") => productDocument({ name, brand, description });
  const similarity = async (a: string, b: string, purpose: "document" | "query" = "query") => {
    const [va] = await embedder.embed([a], "query");
    const [vb] = await embedder.embed([b], purpose);
    return cosine(va, vb);
  };

  it("is deterministic, names its model and dimension, and returns unit vectors", async () => {
    const [a] = await embedder.embed(["Samsung Galaxy S8 case"], "query");
    const [b] = await createLocalEmbedder(128).embed(["Samsung Galaxy S8 case"], "query");
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(embedder.model).toBe("local-hash-v1/128");
    expect(a).toHaveLength(128);
    expect(cosine(a, a)).toBeCloseTo(1, 5);
  });

  it("reads words case- and accent-insensitively, drops a plural s and stop words", () => {
    expect(tokenize("The Cases for Café PHONES, and glass GPS")).toEqual(["case", "cafe", "phone", "glass", "gps"]);
  });

  it("puts shared words near and unrelated text far", async () => {
    const near = await similarity("iphone 7 case", doc("Speck - Presidio Case for iPhone 7 - Black", "Speck"), "document");
    const far = await similarity("iphone 7 case", doc("Kairo - Stainless Steel Refrigerator - 18 Cu. Ft.", "Kairo"), "document");
    expect(near).toBeGreaterThan(0.4);
    expect(far).toBeLessThan(0.15);
  });

  it("keeps a typo or a partial word close, through character trigrams", async () => {
    const typo = await similarity("samsng galaxy", "samsung galaxy");
    const other = await similarity("samsng galaxy", "apple iphone");
    expect(typo).toBeGreaterThan(0.3);
    expect(typo).toBeGreaterThan(other + 0.25);
  });

  it("weighs the name above the description", async () => {
    const inName = await similarity("selfie stick", doc("Selfie Stick - Black", "Acme", "A tripod for phones."), "document");
    const inDescription = await similarity("selfie stick", doc("Tripod - Black", "Acme", "Works as a selfie stick."), "document");
    expect(inName).toBeGreaterThan(inDescription);
  });

  it("embeds 5,000 product documents, one unit vector each, the same for the same text", async () => {
    const documents = Array.from({ length: 5000 }, (_, i) =>
      doc(`Brand${i % 40} - Model X${i} Wireless Headphones - Black`, `Brand${i % 40}`, "Rich sound with active noise cancelling, 30 hours of battery and a carrying case. Ships free."),
    );
    const vectors = await embedder.embed(documents, "document");
    expect(vectors).toHaveLength(5000);
    for (const vector of [vectors[0], vectors[4999]]) expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect((await embedder.embed([documents[4999]], "document"))[0]).toEqual(vectors[4999]);
  });

  it("refuses a dimension too small to mean anything", () => {
    expect(() => createLocalEmbedder(4)).toThrow(/dimensions/);
  });
});
