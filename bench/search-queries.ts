/**
 * The 50 queries of the search benchmark, from the catalog's own words: the 30 most frequent name
 * words alone, and 20 pairs. Shared by bench/search.ts and bench/search-explain.ts.
 */
export async function searchQueries(sql: (text: string) => Promise<{ word: string }[]>): Promise<string[]> {
  const words = (await sql(`SELECT word FROM ts_stat('SELECT to_tsvector(''simple'', name) FROM products') WHERE word ~ '^[a-z]{3,}$' ORDER BY ndoc DESC, word LIMIT 40`)).map((row) => row.word);
  const singles = words.slice(0, 30);
  const pairs = Array.from({ length: 20 }, (_, i) => `${words[i % 10]} ${words[10 + ((i * 7) % 30)]}`);
  return [...singles, ...pairs];
}
