import type { Rejection, UpsertCounts } from "./catalog-input";
import type { ImportReport } from "./import-catalog";
import type { CatalogReport } from "./write-catalog";

/** Rejections that broke the same rule, with a few examples of the records and values at fault. */
export interface RejectionGroup {
  entity: Rejection["entity"];
  reason: string;
  count: number;
  examples: string[];
}

/** Examples kept per rejection group in a printed report. */
export const EXAMPLES_PER_REASON = 3;

/** Rejections grouped by entity and reason, largest group first. */
export function groupRejections(rejections: readonly Rejection[], examplesPerReason = EXAMPLES_PER_REASON): RejectionGroup[] {
  const groups = new Map<string, RejectionGroup>();
  for (const rejection of rejections) {
    const id = `${rejection.entity}\u0000${rejection.reason}`;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { entity: rejection.entity, reason: rejection.reason, count: 0, examples: [] }));
    group.count += 1;
    if (group.examples.length < examplesPerReason) {
      group.examples.push(rejection.value === undefined ? rejection.key : `${rejection.key}: ${rejection.value}`);
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.entity.localeCompare(b.entity) || a.reason.localeCompare(b.reason));
}

/** The report as the CLIs print it: one line of counts per table, then the rejections by reason. */
export function formatReport(report: CatalogReport & Partial<Pick<ImportReport, "categoriesFromPathsOnly" | "productPlacement">>): string {
  const lines = [
    countsLine("categories", report.categories),
    countsLine("attribute definitions", report.attributeDefinitions),
    countsLine("products", report.products),
  ];
  if (report.categoriesFromPathsOnly) lines.push(`${report.categoriesFromPathsOnly} categories exist only as ancestors in other records' paths`);
  if (report.productPlacement) {
    const { exactPath, belowPrefix, prefixOnly } = report.productPlacement;
    lines.push(`products placed by their full category path: ${exactPath}; by its names found below levels it leaves out: ${belowPrefix}; by its longest matching prefix: ${prefixOnly}`);
  }
  const groups = groupRejections(report.rejections);
  if (groups.length > 0) lines.push("rejected:");
  for (const group of groups) {
    lines.push(`  ${group.entity}: ${group.reason} (${group.count})`);
    for (const example of group.examples) lines.push(`    e.g. ${example}`);
    if (group.count > group.examples.length) lines.push(`    ... and ${group.count - group.examples.length} more`);
  }
  lines.push(`took ${(report.durationMs / 1000).toFixed(2)} s`);
  return lines.join("\n");
}

function countsLine(label: string, counts: UpsertCounts): string {
  return `${label}: ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.rejected} rejected`;
}
