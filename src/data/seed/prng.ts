/**
 * A small seeded pseudo-random number generator (sfc32, seeded through splitmix32), so a seed
 * always gives the same catalog on every machine. Not for anything secret.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An item drawn with the given (non-negative, not all zero) weights. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  /** A shuffled copy of `items`. */
  shuffled<T>(items: readonly T[]): T[];
}

/** A generator for `seed` and an optional list of labels, each label giving an independent stream. */
export function createRandom(seed: number, ...labels: (string | number)[]): Random {
  const mix = splitmix32(hashSeed(seed, labels));
  const next = sfc32(mix(), mix(), mix(), mix());
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error("pick needs at least one item, got an empty list");
      return items[Math.floor(next() * items.length)];
    },
    weighted: (items, weights) => {
      const total = weights.reduce((sum, w) => sum + w, 0);
      let at = next() * total;
      for (let i = 0; i < items.length; i++) if ((at -= weights[i]) < 0) return items[i];
      return items[items.length - 1];
    },
    shuffled: (items) => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy;
    },
  };
  return random;
}

/** A 32-bit hash of a seed and labels (FNV-1a over their text). */
export function hashSeed(seed: number, labels: readonly (string | number)[] = []): number {
  let hash = 2_166_136_261;
  for (const char of [seed, ...labels].join("\u0000")) hash = Math.imul(hash ^ char.charCodeAt(0), 16_777_619);
  return hash >>> 0;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
}
