import { singular } from "./search-eval-reference";

/**
 * The labelled query set of `npm run search:eval`, written from the Best Buy catalog itself (its
 * category names, brands, product names), never from a list of real shoppers' queries. Each query
 * has a kind (the shapes of issue #14), the products that answer it where the data says, and the
 * category where most of its top hits should sit: the one where a store's engine puts most of its
 * top 20 (see search-eval-reference.ts), asked what the shopper meant (the query spelt right, the
 * abbreviation written out). A query is asked once, whatever generated it.
 */

/** A product of the data set as the evaluation reads it. */
export interface EvalProduct {
  sku: string;
  name: string;
  brand: string;
  description: string;
  popularity: number;
  /** Category names from the root ("Cell Phones" > "Cell Phone Accessories" > ...). */
  path: string[];
  text: string;
}

export type QueryKind = "category" | "brand-category" | "unmatched-word" | "stop-words" | "carrier" | "typo" | "plural" | "abbreviation";

export interface LabelledQuery {
  kind: QueryKind;
  query: string;
  /** The category where most of the top 20 should sit; null when the query names none (stop words). */
  category: string | null;
  /** What the shopper meant, when the query is not it (a typo, an abbreviation): the label is asked of this. */
  intended?: string;
  /** The products that answer it (SKUs); empty when the data gives none. */
  relevant: string[];
}

/** Reads the data set's products (the SKU is the number of the image file, see ../shared/data/README.md). */
export function evalProducts(raw: { name: string; description: string; brand: string; categories: string[]; image: string; popularity: number }[]): EvalProduct[] {
  return raw.map((p) => ({
    sku: /\/(\d+)_/.exec(p.image)![1],
    name: p.name,
    brand: p.brand,
    description: p.description,
    popularity: p.popularity,
    path: p.categories,
    text: `${p.name} ${p.brand} ${p.description} ${p.categories.join(" ")}`.toLowerCase(),
  }));
}

const STOP_WORD_QUERIES = ["what is it", "it is what it is", "to be or not to be", "and the", "for you", "all of them"];
// Words a shopper adds that the catalog never uses (each checked against the data below).
const FOREIGN_WORDS = ["sync", "cheap", "deals", "gift", "awesome", "sale", "discount", "bestseller", "popular", "cool"];
const CARRIERS = ["Verizon", "Sprint", "AT&T", "T-Mobile", "Straight Talk", "Boost Mobile", "Cricket", "TracFone", "Virgin Mobile", "Total Wireless", "Simple Mobile"];
// Abbreviations of the catalog's own names: [what a shopper types, what the catalog writes].
const ABBREVIATIONS: [string, string][] = [
  ["tmo", "T-Mobile"],
  ["refurb", "Refurbished"],
  ["att", "AT&T"],
  ["vzw", "Verizon"],
  ["bt", "Bluetooth"],
  ["usb c", "USB Type-C"],
];

/**
 * The query set (deterministic for one data set), each query once. `label` gives the category a
 * store's engine puts most of its hits in (see search-eval-reference.ts); without it, a query keeps
 * the category it was written from.
 */
export function buildQuerySet(products: readonly EvalProduct[], label?: (query: string) => string | null): LabelledQuery[] {
  const queries = writeQueries(products);
  const seen = new Set<string>();
  return queries
    .filter((q) => !seen.has(q.query) && seen.add(q.query))
    .map((q) => (label && q.category !== null ? { ...q, category: label(q.intended ?? q.query) } : q));
}

const STOP_WORDS = new Set("a an and are as at be by for from in is it of on or the to with".split(" "));

function writeQueries(products: readonly EvalProduct[]): LabelledQuery[] {
  const queries: LabelledQuery[] = [];
  const words = new Set(products.flatMap((p) => p.text.split(/[^a-z0-9]+/)));
  const skus = (list: readonly EvalProduct[]) => list.map((p) => p.sku);
  const inCategory = (name: string) => products.filter((p) => p.path.includes(name));

  // Categories with enough products to have a majority in a top 20.
  const categoryCounts = new Map<string, number>();
  for (const p of products) for (const name of p.path.slice(1)) categoryCounts.set(name, (categoryCounts.get(name) ?? 0) + 1);
  const categories = [...categoryCounts].filter(([, n]) => n >= 8).map(([name]) => name).sort();
  const short = (name: string) => name.replace(/^All /, "").split(/ & |, /)[0].toLowerCase();
  for (const name of categories) {
    const full = name.replace(/^All /, "").toLowerCase().replace(/&/g, "and");
    // The last two words as a short form ("phone cases"), when they start with a word ("with plans", "6 cases" do not).
    const last = short(name).split(" ").slice(-2);
    const twoWords = /^\p{L}{3,}$/u.test(last[0]) && !STOP_WORDS.has(last[0]) ? last.join(" ") : full;
    for (const query of new Set([full, twoWords])) queries.push({ kind: "category", query, category: name, relevant: skus(inCategory(name)) });
  }

  // A brand and its category's last word ("otterbox cases"), the 15 largest pairs.
  const pairs = new Map<string, EvalProduct[]>();
  for (const p of products) {
    const leaf = p.path[p.path.length - 1];
    if (p.path.length < 3) continue;
    const key = `${p.brand}\u0000${leaf}`;
    pairs.set(key, [...(pairs.get(key) ?? []), p]);
  }
  const brandCategory = [...pairs]
    .filter(([, list]) => list.length >= 8)
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
    .slice(0, 15)
    .map(([key, list]) => {
      const [brand, leaf] = key.split("\u0000");
      const brandWord = brand.toLowerCase().replace(/[™®]/g, "").split(" ")[0];
      return { kind: "brand-category" as const, query: `${brandWord} ${short(leaf).split(" ").pop()}`, category: leaf, relevant: skus(list) };
    });
  queries.push(...brandCategory);

  // One word that matches nothing, added to a query that does.
  const foreign = FOREIGN_WORDS.filter((word) => !words.has(word));
  brandCategory.slice(0, 10).forEach((q, i) => queries.push({ ...q, kind: "unmatched-word", query: `${q.query} ${foreign[i % foreign.length]}`, intended: q.query }));

  for (const query of STOP_WORD_QUERIES) queries.push({ kind: "stop-words", query, category: null, relevant: [] });

  // Carriers: "<carrier> phones" (their phones, not accessories) and the carrier alone.
  for (const carrier of CARRIERS) {
    const pattern = new RegExp(`\\b${carrier.replace(/[&-]/g, "\\$&")}\\b`, "i");
    const named = products.filter((p) => pattern.test(p.name) || p.path.some((c) => pattern.test(c)));
    if (named.length < 5) continue;
    const phones = named.filter((p) => !p.path.includes("Cell Phone Accessories"));
    if (phones.length >= 3) queries.push({ kind: "carrier", query: `${carrier.toLowerCase()} phones`, category: majorityCategory(phones), relevant: skus(phones) });
    queries.push({ kind: "carrier", query: carrier.toLowerCase(), category: majorityCategory(named), relevant: skus(named) });
  }

  // Typos: a letter dropped from a brand, a category word, or a model joined to its number.
  for (const q of brandCategory.slice(0, 10)) {
    const [brandWord, rest] = [q.query.split(" ")[0], q.query.split(" ").slice(1).join(" ")];
    if (brandWord.length >= 5) queries.push({ ...q, kind: "typo", query: `${dropLetter(brandWord)} ${rest}`, intended: q.query });
  }
  for (const name of categories) {
    const words = short(name).split(" ");
    const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
    if (longest.length < 6) continue;
    const query = words.map((w) => (w === longest ? dropLetter(w) : w)).join(" ");
    queries.push({ kind: "typo", query, category: name, relevant: skus(inCategory(name)), intended: short(name) });
  }
  const models = new Map<string, EvalProduct[]>();
  for (const p of products) {
    for (const [, word, num] of p.name.toLowerCase().matchAll(/\b(iphone|galaxy|pixel|moto) (\d+|s\d+)\b/g)) {
      models.set(`${word} ${num}`, [...(models.get(`${word} ${num}`) ?? []), p]);
    }
  }
  [...models].filter(([, list]) => list.length >= 8).sort((a, b) => b[1].length - a[1].length).slice(0, 6).forEach(([model, list]) => {
    const cases = list.filter((p) => p.path.includes("Cell Phone Cases & Clips"));
    if (cases.length >= 5) queries.push({ kind: "typo", query: `${model.replace(" ", "")} case`, category: "Cell Phone Cases & Clips", relevant: skus(cases), intended: `${model} case` });
  });
  // Compound words split in two ("head sets"): both halves are words of the catalog.
  for (const name of categories) {
    for (const word of short(name).split(" ")) {
      for (let cut = 4; cut <= word.length - 4; cut++) {
        if (words.has(word.slice(0, cut)) && words.has(word.slice(cut).replace(/e?s$/, "")) && word.length >= 9) {
          queries.push({ kind: "typo", query: short(name).replace(word, `${word.slice(0, cut)} ${word.slice(cut)}`), category: name, relevant: skus(inCategory(name)), intended: short(name) });
          break;
        }
      }
    }
  }

  // Singular of a plural category word ("screen protector", "battery", "lens").
  for (const name of categories) {
    const words = short(name).split(" ");
    const query = [...words.slice(0, -1), singular(words[words.length - 1])].join(" ");
    if (query !== short(name)) queries.push({ kind: "plural", query, category: name, relevant: skus(inCategory(name)) });
  }

  // Abbreviations of names the catalog writes in full.
  for (const [abbreviation, full] of ABBREVIATIONS) {
    const pattern = new RegExp(`\\b${full.replace(/[&-]/g, "\\$&")}\\b`, "i");
    const named = products.filter((p) => pattern.test(p.name) || p.path.some((c) => pattern.test(c)));
    if (named.length < 5) continue;
    queries.push({ kind: "abbreviation", query: abbreviation, category: majorityCategory(named), relevant: skus(named), intended: full.toLowerCase() });
  }
  return queries;
}

/** The deepest category (below the root) holding more than half of `list`. */
export function majorityCategory(list: readonly EvalProduct[]): string | null {
  let best: string | null = null;
  for (let depth = 1; ; depth++) {
    const counts = new Map<string, number>();
    for (const p of list) if (p.path[depth]) counts.set(p.path[depth], (counts.get(p.path[depth]) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1])[0];
    if (!top || top[1] * 2 <= list.length) return best;
    best = top[0];
  }
}

function dropLetter(word: string): string {
  const at = Math.floor(word.length / 2);
  return word.slice(0, at) + word.slice(at + 1);
}
