/** A label as people re-type it: case and runs of spaces do not matter. */
export function normalizeLabel(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}
