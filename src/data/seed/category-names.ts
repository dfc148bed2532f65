import type { Random } from "./prng";
import type { ShapeNode } from "./tree-shape";
import { COLORS, DEPARTMENTS, QUALIFIERS, type AttributeSpec, type BrandLines, type Department, type ProductGroup } from "./vocabulary";
import type { AttributeValue } from "../import/catalog-input";

/** A generated category with what its name says about the products it holds. */
export interface NamedCategory extends ShapeNode {
  name: string;
  department: Department;
  /** The depth-1 group it is under (absent for a root). */
  group?: ProductGroup;
  style?: string;
  brand?: string;
  line?: string;
  /** An attribute value its name states ("15.6\" Laptops"); its products carry it. */
  spec?: { name: string; value: AttributeValue };
  color?: string;
}

/** The brands (with their lines) that sell in a category: its group's own, else its department's. */
export function brandsOf(category: Pick<NamedCategory, "department" | "group">): BrandLines {
  return category.group?.brands ?? category.department.brands;
}

/** A line as a category names it: without its model number ("Galaxy S#" -> "Galaxy S", "G#" -> "G Series"). */
export function lineName(line: string): string {
  const name = line.replace(/#\w*/g, "").replace(/\s+/g, " ").replace(/[\s-]+$/, "").trim();
  return name.length < 3 ? `${name} Series` : name;
}

/**
 * Names the nodes of a tree shape like a retailer's catalog: departments in DEPARTMENTS' order, then
 * product groups ("Smartphones"), styles ("Unlocked Smartphones"), brands ("Samsung Unlocked
 * Smartphones"), lines ("Samsung Galaxy S Smartphones"), specs ("Samsung Galaxy S 256GB Smartphones")
 * and qualifiers ("Refurbished ..."), unique among siblings (a number is added when the words run out).
 */
export function nameCategories(shape: readonly ShapeNode[], random: Random): NamedCategory[] {
  const named: NamedCategory[] = [];
  const usedBySiblings = new Map<number | null, Set<string>>();
  let roots = 0;
  for (const node of shape) {
    const parent = node.parent === null ? null : named[node.parent];
    const context: NamedCategory = parent
      ? { ...node, name: "", department: parent.department, group: parent.group, style: parent.style, brand: parent.brand, line: parent.line, spec: parent.spec, color: parent.color }
      : { ...node, name: "", department: DEPARTMENTS[roots++ % DEPARTMENTS.length] };
    let used = usedBySiblings.get(node.parent);
    if (!used) usedBySiblings.set(node.parent, (used = new Set()));
    const { preferred, fallback } = candidates(context, parent);
    const unused = (option: Candidate) => !used!.has(option.name);
    // A department's groups come in their order (its main ones first); other names in any order.
    const ordered = node.depth === 1 ? preferred : random.shuffled(preferred);
    const chosen = ordered.find(unused) ?? random.shuffled(fallback).find(unused) ?? numbered(preferred[0], used);
    used.add(chosen.name);
    named.push({ ...context, ...chosen });
  }
  return named;
}

type Candidate = Partial<NamedCategory> & { name: string };

// Names for a node by depth: the preferred ones first, the fallback ones once siblings used those up.
function candidates(context: NamedCategory, parent: NamedCategory | null): { preferred: Candidate[]; fallback: Candidate[] } {
  const { department, group } = context;
  const groupName = group?.name ?? department.name;
  const qualified = (base: string) => QUALIFIERS.map((q) => ({ name: `${q} ${base}` }));
  switch (context.depth) {
    case 0:
      return { preferred: [{ name: department.name }], fallback: [] };
    case 1:
      return {
        preferred: department.groups.map((g) => ({ name: g.name, group: g })),
        fallback: department.groups.flatMap((g) => QUALIFIERS.map((q) => ({ name: `${q} ${g.name}`, group: g }))),
      };
    case 2: {
      const styles = group?.styles ?? department.styles;
      return { preferred: styles.map((style) => ({ name: `${style} ${groupName}`, style })), fallback: qualified(groupName) };
    }
    case 3:
      return { preferred: Object.keys(brandsOf(context)).map((brand) => ({ name: `${brand} ${parent!.name}`, brand })), fallback: qualified(parent!.name) };
    case 4: {
      const brands = brandsOf(context);
      const brand = context.brand ?? Object.keys(brands)[0];
      return { preferred: brands[brand].map((line) => ({ name: `${brand} ${lineName(line)} ${groupName}`, brand, line })), fallback: qualified(parent!.name) };
    }
    case 5:
      return specCandidates(context, groupName);
    default:
      return { preferred: qualified(parent!.name), fallback: [] };
  }
}

// A spec the products share: a value of the group's first attribute that shows in names, else a color.
function specCandidates(context: NamedCategory, groupName: string): { preferred: Candidate[]; fallback: Candidate[] } {
  const prefix = [context.brand, context.line && lineName(context.line)].filter(Boolean).join(" ");
  const colors = COLORS.map((color) => ({ name: `${prefix} ${groupName} in ${color}`.trim(), color }));
  const spec: AttributeSpec | undefined = context.group?.attributes.find((a) => a.values.some((v) => a.label(v) !== null));
  if (!spec) return { preferred: colors, fallback: [] };
  const specs = spec.values
    .filter((value) => spec.label(value) !== null)
    .map((value) => ({ name: `${prefix} ${spec.label(value)} ${groupName}`.trim(), spec: { name: spec.name, value } }));
  return { preferred: specs, fallback: colors };
}

function numbered(candidate: Candidate, used: Set<string>): Candidate {
  for (let n = 2; ; n++) {
    const name = `${candidate.name} ${n}`;
    if (!used.has(name)) return { ...candidate, name };
  }
}
