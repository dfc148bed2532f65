import { rowCodec } from "../../src/cache/codec";
import { Prisma } from "../../src/generated/prisma/client";

// The row codec (src/cache/codec.ts): a row read back has the types Prisma gives, whether the entry
// was written with dates as epoch ms (now) or as ISO strings (entries written before).
describe("rowCodec", () => {
  const codec = rowCodec<{ id: number; price: Prisma.Decimal; createdAt: Date; deletedAt: Date | null; note: string }>({
    dates: ["createdAt", "deletedAt"],
    decimals: ["price"],
  });
  const row = { id: 7, price: new Prisma.Decimal("1234567890.12"), createdAt: new Date("2026-11-30T04:52:12.123Z"), deletedAt: null, note: "2026-11-30T04:52:12.123Z" };

  it("stores dates as epoch ms and decimals as exact strings, and revives both", () => {
    const text = codec.encode(row);
    expect(JSON.parse(text)).toMatchObject({ createdAt: Date.parse("2026-11-30T04:52:12.123Z"), price: "1234567890.12", deletedAt: null });
    const back = codec.decode(text);
    expect(back.createdAt).toBeInstanceOf(Date);
    expect(back.createdAt.getTime()).toBe(row.createdAt.getTime());
    expect(back.price).toBeInstanceOf(Prisma.Decimal);
    expect(back.price.toString()).toBe("1234567890.12");
    expect(back.deletedAt).toBeNull();
    // A field not named stays as it was, even when it looks like a date.
    expect(back.note).toBe(row.note);
  });

  it("does not change the row it encodes", () => {
    codec.encode(row);
    expect(row.createdAt).toBeInstanceOf(Date);
  });

  it("reads entries written with ISO date strings", () => {
    const back = codec.decode(JSON.stringify(row));
    expect(back.createdAt.getTime()).toBe(row.createdAt.getTime());
  });
});
