import type { SearchEngine } from "../data/search/search-engine";
import type { StatsService } from "../modules/stats/stats.service";

/** What the search, autocomplete and statistics loaders need beside `LoaderDeps`. */
export interface SearchLoaderDeps {
  searchEngine: SearchEngine;
  /** Completions of a prefix (see `suggestCompletions`). */
  suggest(prefix: string, limit: number): Promise<string[]>;
  statistics: StatsService;
}
