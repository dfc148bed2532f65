/**
 * Bounds on JSON values a client sends (variables, extensions, JSON scalar values), checked by one
 * iterative walk: a value nested thousands of levels deep must be refused before anything recursive
 * (JSON.stringify, graphql-js coercion, a hash) sees it, so the walk itself keeps an explicit stack.
 * Neutral: imports no layer of the project.
 */

/** What a JSON value may hold. */
export interface JsonLimits {
  /** Deepest nesting of objects and arrays; a scalar at the top is depth 0. Default 32. */
  maxDepth: number;
  /** Most values (objects, arrays, scalars) in the whole value. Default 200,000. */
  maxNodes: number;
  /** Longest string or object key, UTF-16 code units. Default 100,000. */
  maxStringLength: number;
}

/** The defaults: deep enough for any input type of the schema and any attribute value, far from the recursion limits. */
export const defaultJsonLimits: JsonLimits = { maxDepth: 32, maxNodes: 200_000, maxStringLength: 100_000 };

/** Why a value was refused and where: `path` from the value's root, e.g. ["filter", "brands", 3]. */
export interface JsonViolation {
  path: (string | number)[];
  problem: string;
}

/** The first violation of `limits` in `value`, or null. Strings are checked for NUL and invalid UTF-16 too. */
export function findJsonViolation(value: unknown, limits: JsonLimits = defaultJsonLimits): JsonViolation | null {
  // Each frame points at its parent, so a path is only built for the value that fails.
  const stack: Frame[] = [{ value, key: null, depth: 0, parent: null }];
  let nodes = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (++nodes > limits.maxNodes) return violation(frame, `holds more than ${limits.maxNodes} values`);
    const { value: current } = frame;
    if (typeof current === "string") {
      const problem = stringProblem(current, limits.maxStringLength);
      if (problem) return violation(frame, problem);
      continue;
    }
    if (typeof current !== "object" || current === null) continue;
    if (frame.depth >= limits.maxDepth) return violation(frame, `is nested deeper than ${limits.maxDepth} levels`);
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], key: i, depth: frame.depth + 1, parent: frame });
      continue;
    }
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const child: Frame = { value: (current as Record<string, unknown>)[key], key, depth: frame.depth + 1, parent: frame };
      const problem = stringProblem(key, limits.maxStringLength);
      if (problem) return violation(child, `has a key that ${problem}`);
      stack.push(child);
    }
  }
  return null;
}

/** A path as graphql-js prints one: `input.rows[3].sku`; long paths keep their start and end. */
export function printJsonPath(path: readonly (string | number)[], maxSegments = 12): string {
  const shown = path.length > maxSegments ? [...path.slice(0, maxSegments - 2), ELLIPSIS, ...path.slice(-2)] : path;
  return shown
    .map((segment, i) => {
      if (typeof segment === "number") return `[${segment}]`;
      const text = segment.length > 64 ? `${segment.slice(0, 61)}...` : segment;
      return i === 0 || shown[i - 1] === ELLIPSIS || segment === ELLIPSIS ? text : `.${text}`;
    })
    .join("");
}

/** Why a string may not reach the database, or null: too long, a NUL byte, or a lone surrogate (not encodable as UTF-8). */
export function stringProblem(text: string, maxLength: number): string | null {
  if (text.length > maxLength) return `is longer than ${maxLength} characters (${text.length})`;
  if (text.includes("\0")) return "contains a NUL character (\\u0000)";
  if (LONE_SURROGATE.test(text)) return "contains invalid UTF-16 (a lone surrogate), which has no UTF-8 encoding";
  return null;
}

const ELLIPSIS = "...";
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface Frame {
  value: unknown;
  key: string | number | null;
  depth: number;
  parent: Frame | null;
}

function violation(frame: Frame, problem: string): JsonViolation {
  const path: (string | number)[] = [];
  for (let at: Frame | null = frame; at !== null && at.key !== null; at = at.parent) path.push(at.key);
  return { path: path.reverse(), problem };
}
