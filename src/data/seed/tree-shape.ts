import type { Random } from "./prng";

/** A node of a generated tree: its index, its parent's index (null for a root) and its depth (root = 0). */
export interface ShapeNode {
  index: number;
  parent: number | null;
  depth: number;
}

/** Depths (number of ancestors, root = 0) at which generated leaves sit; each occurs once there are at least 9 categories. */
export const LEAF_DEPTHS = [4, 5, 6] as const;

const MAX_LEAF_DEPTH = LEAF_DEPTHS[LEAF_DEPTHS.length - 1];
/** Nodes needed for one leaf at each of LEAF_DEPTHS: a chain to the deepest plus one leaf per other depth. */
const MIN_FULL_TREE = MAX_LEAF_DEPTH + LEAF_DEPTHS.length;
// Where new branches start, by depth: most of them in the middle of the tree, as in real catalogs,
// and enough at the departments that each holds several groups.
const BRANCH_WEIGHTS = [2, 3, 4, 3, 2, 1];

/**
 * The shape of a category tree of `count` nodes, parents before children, whose leaves all sit at
 * depths 4 to 6 (with some at each). Built from root-to-leaf chains grafted onto the tree; with
 * fewer than 9 nodes it is a best effort (one chain, at most 6 deep).
 */
export function generateTreeShape(count: number, random: Random, maxRoots = 12): ShapeNode[] {
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`A category tree needs at least 1 category, got ${count}`);
  const nodes: ShapeNode[] = [];
  const byDepth: number[][] = Array.from({ length: MAX_LEAF_DEPTH + 1 }, () => []);
  const protectedLeaves = new Set<number>();
  const add = (parent: number | null): number => {
    const depth = parent === null ? 0 : nodes[parent].depth + 1;
    const index = nodes.length;
    nodes.push({ index, parent, depth });
    byDepth[depth].push(index);
    return index;
  };
  const chain = (from: number | null, leafDepth: number): number => {
    let at = from;
    const start = from === null ? 0 : nodes[from].depth + 1;
    for (let depth = start; depth <= leafDepth && nodes.length < count; depth++) at = add(at);
    return at!;
  };
  const roots = rootCount(count, maxRoots);
  // One leaf at each depth under the first root, kept as leaves so each depth stays represented.
  const deepest = chain(null, MAX_LEAF_DEPTH);
  if (nodes[deepest].depth === MAX_LEAF_DEPTH) protectedLeaves.add(deepest);
  for (const leafDepth of LEAF_DEPTHS.slice(0, -1)) {
    if (nodes.length < count) protectedLeaves.add(add(byDepth[leafDepth - 1][0]));
  }
  for (let r = 1; r < roots; r++) chain(null, random.pick(LEAF_DEPTHS));
  while (nodes.length < count) growBranch(random, count - nodes.length, byDepth, protectedLeaves, (from, leafDepth) => chain(from, leafDepth));
  return nodes;
}

function rootCount(count: number, maxRoots: number): number {
  let roots = Math.max(1, Math.min(maxRoots, Math.round(Math.sqrt(count) / 2.6)));
  while (roots > 1 && MIN_FULL_TREE + (roots - 1) * (MAX_LEAF_DEPTH + 1) > count) roots -= 1;
  return roots;
}

// Grafts one chain ending in a leaf at depth 4 to 6 onto an existing node; near the end it picks
// the branch depth so the chain uses exactly the nodes left.
function growBranch(
  random: Random,
  remaining: number,
  byDepth: number[][],
  protectedLeaves: Set<number>,
  chain: (from: number, leafDepth: number) => number,
): void {
  const leafDepth = random.weighted([...LEAF_DEPTHS], remaining >= MAX_LEAF_DEPTH ? [4, 3, 2] : LEAF_DEPTHS.map((d) => (d >= remaining ? 1 : 0)));
  const depths = BRANCH_WEIGHTS.map((_, depth) => depth).filter((depth) => depth < leafDepth && leafDepth - depth <= remaining);
  const branchDepth = random.weighted(depths, depths.map((depth) => BRANCH_WEIGHTS[depth]));
  // Each depth from 0 to 5 holds at least one unprotected node (the first chain's), so this ends quickly.
  let from = random.pick(byDepth[branchDepth]);
  while (protectedLeaves.has(from)) from = random.pick(byDepth[branchDepth]);
  chain(from, leafDepth);
}
