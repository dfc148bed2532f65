/** Slugs are kept to this many characters, cut at a word boundary; a parent prefix may add to it. */
export const MAX_SLUG_LENGTH = 80;

/** The slug used when a name has no letter or digit at all (e.g. "™"). */
export const FALLBACK_SLUG = "category";

// Letters that Unicode decomposition does not reduce to ASCII.
const LETTER_FOLDS: Record<string, string> = { ß: "ss", æ: "ae", œ: "oe", ø: "o", ł: "l", đ: "d", ð: "d", þ: "th", ı: "i" };
const FOLDABLE = new RegExp(`[${Object.keys(LETTER_FOLDS).join("")}]`, "g");

/**
 * A readable, URL-safe slug of a name, matching `^[a-z0-9]+(-[a-z0-9]+)*$`: accents stripped,
 * "&" read as "and", "+" as "plus", apostrophes and trademark signs dropped, other runs of
 * punctuation turned into one dash ("Unlocked Cell Phones" -> "unlocked-cell-phones").
 */
export function slugify(name: string): string {
  const folded = name
    .replace(/[™®©]/g, "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(FOLDABLE, (letter) => LETTER_FOLDS[letter] ?? letter);
  const slug = folded
    .replace(/&/g, " and ")
    .replace(/\+/g, " plus ")
    .replace(/['’`]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return truncateSlug(slug) || FALLBACK_SLUG;
}

function truncateSlug(slug: string): string {
  if (slug.length <= MAX_SLUG_LENGTH) return slug;
  const cut = slug.slice(0, MAX_SLUG_LENGTH + 1);
  const lastDash = cut.lastIndexOf("-");
  return (lastDash > 0 ? cut.slice(0, lastDash) : cut.slice(0, MAX_SLUG_LENGTH)).replace(/-+$/, "");
}

/** Hands out unique slugs, given the ones already taken (those of the categories in the database). */
export interface SlugAllocator {
  /** The slug of `name`; on a clash the parent's slug is prefixed, then a numeric suffix added (-2, -3, ...). */
  allocate(name: string, parentSlug: string | null): string;
}

/** An allocator that avoids `taken` and every slug it has handed out itself. */
export function createSlugAllocator(taken: Iterable<string>): SlugAllocator {
  const used = new Set(taken);
  const claim = (slug: string) => {
    used.add(slug);
    return slug;
  };
  return {
    allocate(name, parentSlug) {
      const base = slugify(name);
      if (!used.has(base)) return claim(base);
      const prefixed = parentSlug ? `${parentSlug}-${base}` : base;
      if (!used.has(prefixed)) return claim(prefixed);
      for (let n = 2; ; n += 1) {
        const numbered = `${prefixed}-${n}`;
        if (!used.has(numbered)) return claim(numbered);
      }
    },
  };
}
