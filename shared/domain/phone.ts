/**
 * A US phone number as the contact center types it: "(612) 555-0142", "612.555.0142",
 * "+1 612 555 0142". Returns E.164 ("+16125550142") or undefined when it is not a valid
 * North American number (area code and exchange cannot start with 0 or 1).
 */
export function normalizeUsPhone(input: string): string | undefined {
  if (!/^[\d\s().+-]+$/.test(input)) return undefined;
  let digits = input.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
  if (!/^[2-9]\d{2}[2-9]\d{6}$/.test(digits)) return undefined;
  return `+1${digits}`;
}

/** "+16125550142" → "(612) 555-0142", for the lead email. */
export function formatUsPhone(e164: string): string {
  const d = e164.replace(/^\+1/, '');
  return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
}
