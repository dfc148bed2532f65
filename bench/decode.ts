import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { rowCodec } from "../src/cache/codec";
import { decodeEntry, encodeEntry } from "../src/cache/entry-codec";
import { createNearCache } from "../src/cache/near-cache";
import { Prisma } from "../src/generated/prisma/client";

/**
 * What decoding one cached entry costs on the read path (issue #12 item 5), per entry, in
 * microseconds: a product row and a category row as the store holds them, decoded the way the
 * read path does (entry wrapper, JSON, revival of dates and decimals), in three forms measured
 * interleaved in one run (so load on the machine weighs on all alike):
 * - "ISO dates": the rows as stored before this change (dates as ISO strings), still readable;
 * - "epoch dates": as stored now (dates as epoch ms);
 * - "near hit": the near cache's answer, decoded once while held (a map lookup and the memo).
 *
 *   npm run bench:decode -- --rounds 7 --entries 100000
 */

const { values: flags } = parseArgs({
  options: { rounds: { type: "string", default: "7" }, entries: { type: "string", default: "100000" } },
});
const rounds = Number(flags.rounds);
const entries = Number(flags.entries);

const now = new Date("2026-11-30T04:52:12.123Z");
const product = {
  id: 123456,
  sku: "6401728",
  name: 'Insignia - 32" Class N10 Series LED HD TV',
  description: "A 32-inch HD TV with three HDMI inputs, DTS Studio Sound and a slim frame. ".repeat(5),
  brand: "Insignia",
  price: new Prisma.Decimal("129.99"),
  stock: 17,
  popularity: 345,
  attributes: { color: "black", screenSize: 32, smart: false },
  imageUrl: "https://pisces.bbystatic.com/image2/BestBuy_US/images/products/6401/6401728_sd.jpg",
  categoryId: 77,
  createdAt: now,
  updatedAt: now,
};
const category = { id: 77, externalId: "abcat0101001", name: "All Flat-Screen TVs", slug: "all-flat-screen-tvs", parentId: 12, path: "1/12/77", depth: 2, createdAt: now, updatedAt: now };

const productCodec = rowCodec<typeof product>({ dates: ["createdAt", "updatedAt"], decimals: ["price"] });
const categoryCodec = rowCodec<typeof category>({ dates: ["createdAt", "updatedAt"] });
const stamp = "prod=12";
// As stored before: JSON.stringify turns a Date into its ISO string.
const iso = { product: encodeEntry(JSON.stringify(product), stamp), category: encodeEntry(JSON.stringify(category), stamp) };
const epoch = { product: encodeEntry(productCodec.encode(product), stamp), category: encodeEntry(categoryCodec.encode(category), stamp) };

const near = createNearCache({ maxBytes: 1 << 24 });
near.accepting = true;
near.keep(near.ticket(), "cg:v1:prod:123456", epoch.product);
near.keep(near.ticket(), "cg:v1:cat:77", epoch.category);

let sink: unknown;
const readPath = (codec: { decode(text: string): unknown }, text: string) => () => {
  const entry = decodeEntry(text);
  sink = entry?.payload == null ? null : codec.decode(entry.payload);
};
const nearHit = (key: string, codec: { decode(text: string): unknown }) => () => {
  const held = near.get(key)!;
  const memo = (held.memo ??= { value: readPath(codec, held.text!)() ?? sink }) as { value: unknown };
  sink = memo.value;
};

const cases: [string, () => void][] = [
  ["product, ISO dates", readPath(productCodec, iso.product)],
  ["product, epoch dates", readPath(productCodec, epoch.product)],
  ["product, near hit", nearHit("cg:v1:prod:123456", productCodec)],
  ["category, ISO dates", readPath(categoryCodec, iso.category)],
  ["category, epoch dates", readPath(categoryCodec, epoch.category)],
  ["category, near hit", nearHit("cg:v1:cat:77", categoryCodec)],
];

const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let round = 0; round < rounds; round += 1) {
  for (const [name, run] of cases) {
    for (let i = 0; i < Math.min(entries, 10_000); i += 1) run();
    const started = performance.now();
    for (let i = 0; i < entries; i += 1) run();
    samples.get(name)!.push(((performance.now() - started) * 1000) / entries);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`Decode cost per entry, median of ${rounds} interleaved rounds of ${entries} (us):`);
for (const [name, values] of samples) console.log(`  ${name.padEnd(24)} ${median(values).toFixed(3)}`);
console.log(`  (product text: ${iso.product.length} characters ISO, ${epoch.product.length} epoch)`);
void sink;
