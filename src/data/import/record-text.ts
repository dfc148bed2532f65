/** Helpers shared by the parsers of the Best Buy files: cleaning names and showing bad values. */

/** Collapses runs of white space, so "Home  Monitoring" and "Home Monitoring" are one name. */
export function cleanName(name: unknown): string | null {
  if (typeof name !== "string") return null;
  const cleaned = name.replace(/\s+/g, " ").trim();
  return cleaned === "" ? null : cleaned;
}

/** How a bad top-level value is described in an error: "null", "an array", "object", ... */
export function typeName(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}

/** A value as shown in a rejection: JSON, cut to 120 characters. */
export function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
