import { findSpellings, type Spellings } from "../../data/search/spelling";
import { summarizeMatches, type MatchRequest, type MatchSummary, type TextMatch } from "../../data/search/text-search";
import type { TermGroup, TextQueryPlan } from "../../data/search/text-query";
import type { PrismaClient } from "../../generated/prisma/client";
import type { SearchNotice } from "../../loaders/search-deps";

/** The text side's answer and how it was reached (notices for anything but "all the words as typed"). */
export interface GracefulMatch {
  summary: MatchSummary;
  notices: SearchNotice[];
}

/**
 * The text side of a search, relaxed one step at a time until something matches (each step is one
 * more statement, taken only when the one before matched nothing, so a query that matches as typed
 * costs what it did before):
 *   1. every term (synonyms included), the last word as a prefix;
 *   2. every term, with the spellings the vocabulary offers for words that match nothing
 *      ("samsng" -> samsung, "head set" -> headset): notice SPELLING_CORRECTED;
 *   3. any term, ranked by how many terms a product has: notice RELAXED_MATCH.
 * A query whose terms are all stop words ("what is it") is matched word for word against names and
 * brands instead (all words, then any), and says so (notice STOP_WORDS_ONLY) either way.
 */
export async function matchGracefully(prisma: PrismaClient, plan: TextQueryPlan, base: Omit<MatchRequest, "text">): Promise<GracefulMatch> {
  const text: TextMatch = { groups: plan.groups, prefixWord: plan.prefixWord, sku: plan.sku, match: "all", dictionary: "english" };
  const summarize = (change: Partial<TextMatch>) => summarizeMatches(prisma, { ...base, text: { ...text, ...change } });
  const exact = await summarize({});
  if (exact.ranked.length > 0 || plan.groups.length === 0) return { summary: exact, notices: [] };

  if (exact.lexemes === 0) {
    const simple = { dictionary: "simple" as const, prefixWord: null };
    let summary = await summarize(simple);
    if (summary.ranked.length === 0 && plan.groups.length > 1) summary = await summarize({ ...simple, match: "most" });
    const found = summary.ranked.length > 0;
    const message = found
      ? `"${plan.query}" has only common words, which the full-text index leaves out; they were matched word for word in names and brands`
      : `"${plan.query}" has only common words, which the full-text index leaves out, and no name or brand has them`;
    return { summary: found ? summary : exact, notices: [{ code: "STOP_WORDS_ONLY", message }] };
  }

  const words = plan.groups.flatMap((group) => (group.word === null ? [] : [group.word]));
  const corrected = respell(plan.groups, await findSpellings(prisma, words));
  if (corrected) {
    const summary = await summarize({ groups: corrected.groups });
    if (summary.ranked.length > 0) {
      return { summary, notices: [{ code: "SPELLING_CORRECTED", message: `No product matched "${plan.query}" as typed; also matched ${corrected.described}` }] };
    }
  }
  const groups = corrected?.groups ?? plan.groups;
  if (groups.length > 1) {
    const summary = await summarize({ groups, match: "most" });
    if (summary.ranked.length > 0) {
      const message = `No product has every word of "${plan.query}"; products with most of its words come first`;
      return { summary, notices: [...(corrected ? [{ code: "SPELLING_CORRECTED" as const, message: `Also matched ${corrected.described}` }] : []), { code: "RELAXED_MATCH", message }] };
    }
  }
  return { summary: exact, notices: [] };
}

/** The groups with the vocabulary's spellings added, and what changed ("samsng" as samsung); null when nothing did. */
export function respell(groups: readonly TermGroup[], { corrections, joins }: Spellings): { groups: TermGroup[]; described: string } | null {
  const out: TermGroup[] = [];
  const changes: string[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    const next = groups[i + 1];
    const joined = group.word !== null && next?.word != null ? joins.get(`${group.word} ${next.word}`) : undefined;
    if (joined !== undefined) {
      out.push({ alternatives: [`${group.word} ${next.word}`, joined], word: null });
      changes.push(`"${group.word} ${next.word}" as ${joined}`);
      i++;
      continue;
    }
    const spellings = group.word === null ? undefined : corrections.get(group.word);
    if (spellings?.length) {
      out.push({ alternatives: [...group.alternatives, ...spellings.filter((word) => !group.alternatives.includes(word))], word: group.word });
      changes.push(`"${group.word}" as ${spellings.join(" or ")}`);
    } else out.push(group);
  }
  return changes.length ? { groups: out, described: changes.join(", ") } : null;
}
