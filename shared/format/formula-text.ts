/**
 * Characters that make a spreadsheet treat a CSV field as a formula (OWASP CSV injection, ASVS V1.2.10): first, or
 * after leading spaces (which spreadsheet programs skip), in ASCII or full-width form (which some read as ASCII).
 */
const FORMULA_SIGNS = new Set(['=', '+', '-', '@', '\uff1d', '\uff0b', '\uff0d', '\uff20']);
/** Control characters that start a formula-like field themselves, as ASVS lists them. */
const FORMULA_CONTROLS = new Set(['\t', '\r', '\0']);

/**
 * For CSV output only: a value a spreadsheet would run as a formula gets a leading single quote, which shows it
 * as text. Strings in our .xlsx files are inert already (the writer stores them as string cells).
 */
export function neutralizeFormulaText(text: string): string {
  // One pass over the leading whitespace only: the first other character decides.
  for (const ch of text) {
    if (FORMULA_CONTROLS.has(ch) || FORMULA_SIGNS.has(ch)) return `'${text}`;
    if (!/\s/.test(ch)) return text;
  }
  return text;
}
