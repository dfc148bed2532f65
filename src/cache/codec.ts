import { Prisma } from "../generated/prisma/client";

/**
 * How values are written to the cache: JSON, because every store and every operator tool can read
 * it and our rows are small; the fields JSON loses (dates, decimals) are revived by name. A codec is
 * chosen per family, so a row read from the cache has exactly the type of a row read from Prisma.
 */
export interface Codec<V> {
  encode(value: V): string;
  decode(text: string): V;
}

/** JSON as is: ids, id lists, counts, plain records. */
export function jsonCodec<V>(): Codec<V> {
  return { encode: (value) => JSON.stringify(value), decode: (text) => JSON.parse(text) as V };
}

/**
 * JSON with the named fields revived as Date and Decimal. Dates are stored as epoch milliseconds:
 * `new Date(number)` costs a tenth of parsing an ISO string, and rows are decoded on every hit
 * that the near cache does not answer (ISO strings, as older entries hold them, are still read).
 * Decimals are stored as their exact decimal string.
 */
export function rowCodec<V extends object>(fields: { dates?: (keyof V)[]; decimals?: (keyof V)[] }): Codec<V> {
  const dates = (fields.dates ?? []).map(String);
  const decimals = (fields.decimals ?? []).map(String);
  return {
    encode: (value) => {
      if (dates.length === 0) return JSON.stringify(value);
      const row = { ...value } as Record<string, unknown>;
      for (const name of dates) if (row[name] instanceof Date) row[name] = (row[name] as Date).getTime();
      return JSON.stringify(row);
    },
    decode: (text) => {
      const row = JSON.parse(text) as Record<string, unknown>;
      for (const name of dates) {
        const stored = row[name];
        if (typeof stored === "number" || typeof stored === "string") row[name] = new Date(stored);
      }
      for (const name of decimals) if (row[name] != null) row[name] = new Prisma.Decimal(row[name] as string);
      return row as V;
    },
  };
}

/**
 * `codec` with its last decoded value kept, keyed by the exact text it came from: for a large entry
 * read whole on every request (the category tree), decoded once per process while it stays the same.
 * Only the decode is memoized: the read path still reads and validates the entry each time, so a
 * retired entry is never served; a new text (a refill, another stamp's value) is decoded afresh.
 * The value is shared by every request that reads the same text, so callers must not mutate it.
 */
export function memoizedCodec<V>(codec: Codec<V>): Codec<V> {
  let last: { text: string; value: V } | null = null;
  return {
    encode: (value) => {
      const text = codec.encode(value);
      last = { text, value };
      return text;
    },
    decode: (text) => {
      if (last?.text !== text) last = { text, value: codec.decode(text) };
      return last.value;
    },
  };
}
