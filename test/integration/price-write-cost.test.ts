import type { Database } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { gqlAs } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// What one price write costs the database, on the real PostgreSQL: its statements (counted by the
// gateway's own Prisma client) and the vocabulary trigger, which a price cannot change.
describe("a price write's cost", () => {
  let db: Database;
  let gateway: Gateway;
  const fixture = useGateway({ label: "pricecost", catalog: { products: 30, categories: 6 } });
  beforeAll(() => {
    ({ db, gateway } = fixture);
  });
  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
  const update = (id: number, input: Record<string, unknown>) =>
    gqlAs(gateway, ["editor"], `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id price name } }`, {
      id: String(id),
      input,
    });

  it("sends four statements in its transaction: the shared catalog lock, the locked row with its category path, the update, the outbox row", async () => {
    const [product] = await sql<{ id: number; price: string }>(`SELECT id, price::text FROM products ORDER BY id LIMIT 1`);
    await update(product.id, { price: Number(product.price) + 1 }); // warm: Prisma's first query of a kind
    const before = gateway.db.counter.statements;
    const answer = await update(product.id, { price: Number(product.price) + 2 });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.updateProduct).toMatchObject({ id: String(product.id), price: Number(product.price) + 2 });
    // Prisma reports the transaction's own statement too: 1 + lock + row + update + outbox = 5 (it
    // was 7: the row lock, the row and its category were three statements).
    expect(gateway.db.counter.statements - before).toBe(5);
  });

  it("adds words to the typo vocabulary when a name changes, and does not run it for a price", async () => {
    const [product] = await sql<{ id: number; name: string; price: string }>(`SELECT id, name, price::text FROM products ORDER BY id LIMIT 1 OFFSET 3`);
    // A word of the product's own name, taken out of the vocabulary: the old trigger put every word
    // of every updated row back, whatever the update changed.
    const [{ word }] = await sql<{ word: string }>(`SELECT w AS word FROM search_words_of($1, '', '') AS w LIMIT 1`, [product.name]);
    await sql(`DELETE FROM search_words WHERE word = $1`, [word]);
    expect((await update(product.id, { price: Number(product.price) + 3 })).errors).toBeUndefined();
    expect(await sql(`SELECT word FROM search_words WHERE word = $1`, [word])).toEqual([]);

    expect((await update(product.id, { name: `${product.name} Quixotry` })).errors).toBeUndefined();
    const words = (await sql<{ word: string }>(`SELECT word FROM search_words WHERE word = ANY($1)`, [[word, "quixotry"]])).map((row) => row.word);
    expect(words.sort()).toEqual([word, "quixotry"].sort());
  });
});
