/*
 * The header block of a raw email (RFC 5322), read without a MIME parser: what decides whether
 * anything else in the message is read at all. One pass over at most MAX_HEADER_BLOCK_BYTES, no
 * regex that can backtrack, so a stranger's mail costs time linear in its header block alone.
 */

/** SES's trace block plus a big mail program's own headers (Microsoft 365's run to ~30 KB). */
export const MAX_HEADER_BLOCK_BYTES = 256 * 1024;
/** One field, unfolded: far above any real DKIM-Signature or ARC-Seal, far below what slows a parser. */
export const MAX_HEADER_FIELD_CHARS = 16 * 1024;

export interface HeaderField {
  /** Lower-case field name. */
  readonly name: string;
  /** The value, unfolded (CRLF + whitespace becomes one space), untrimmed of inner whitespace. */
  readonly value: string;
}

export type HeaderBlock =
  { ok: true; fields: HeaderField[]; bodyOffset: number } | { ok: false; rule: 'unreadable-headers'; detail: string };

/** The fields of the message's top-level header block, in order (topmost first). */
export function readHeaderBlock(raw: Buffer, maxBytes = MAX_HEADER_BLOCK_BYTES): HeaderBlock {
  const end = blockEnd(raw, maxBytes);
  if (end === undefined) return { ok: false, rule: 'unreadable-headers', detail: 'no end of headers within the cap' };
  // latin1 keeps every byte one character: offsets stay byte offsets, and nothing is decoded yet.
  const text = raw.toString('latin1', 0, end.headerEnd);
  const fields: HeaderField[] = [];
  let name: string | undefined;
  let value: string[] = [];
  let length = 0;
  const flush = () => {
    if (name !== undefined) fields.push({ name, value: value.join(' ') });
  };
  for (const line of text.split('\n')) {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (l.length === 0) continue;
    if (l[0] === ' ' || l[0] === '\t') {
      if (name === undefined)
        return { ok: false, rule: 'unreadable-headers', detail: 'a continuation before any field' };
      value.push(l.trim());
    } else {
      flush();
      const colon = l.indexOf(':');
      if (colon <= 0) return { ok: false, rule: 'unreadable-headers', detail: 'a header line without a field name' };
      name = l.slice(0, colon).trim().toLowerCase();
      value = [l.slice(colon + 1).trim()];
      length = 0;
    }
    length += l.length;
    if (length > MAX_HEADER_FIELD_CHARS) {
      return { ok: false, rule: 'unreadable-headers', detail: 'a header field longer than the cap' };
    }
  }
  flush();
  return { ok: true, fields, bodyOffset: end.bodyOffset };
}

/** Where the header block ends (the first empty line), or undefined if not within maxBytes. */
function blockEnd(raw: Buffer, maxBytes: number): { headerEnd: number; bodyOffset: number } | undefined {
  const limit = Math.min(raw.length, maxBytes);
  const head = raw.subarray(0, limit); // never searched past the cap
  let lineStart = 0;
  for (;;) {
    const nl = head.indexOf(0x0a, lineStart);
    if (nl < 0 || nl >= limit) {
      // No empty line: a message with no body ends its headers with its bytes; a longer one is refused.
      return raw.length <= maxBytes ? { headerEnd: raw.length, bodyOffset: raw.length } : undefined;
    }
    const lineLength = nl - lineStart - (nl > lineStart && raw[nl - 1] === 0x0d ? 1 : 0);
    if (lineLength === 0) return { headerEnd: lineStart, bodyOffset: nl + 1 };
    lineStart = nl + 1;
  }
}

/** Every value of one field, topmost first. */
export function fieldValues(fields: readonly HeaderField[], name: string): string[] {
  return fields.filter((f) => f.name === name).map((f) => f.value);
}

/**
 * The one address of a From field, lower-cased, or why there is not exactly one: two From fields,
 * or two mailboxes in one, are refused (which one DMARC checked would be ambiguous). Linear: one
 * pass that skips quoted strings and comments.
 */
export function singleFromAddress(fields: readonly HeaderField[]): string | undefined {
  const from = fieldValues(fields, 'from');
  if (from.length !== 1) return undefined;
  const mailboxes: string[] = [];
  let current = '';
  let angle: string | undefined;
  let inAngle = false;
  let quoted = false;
  let depth = 0;
  const value = from[0]!;
  const end = () => {
    mailboxes.push((angle ?? current).trim());
    current = '';
    angle = undefined;
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (depth > 0) {
      if (c === '\\') i++;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === '<') {
      inAngle = true;
      angle = '';
    } else if (c === '>') inAngle = false;
    else if (c === ',' && !inAngle) end();
    else if (c === ':' || c === ';')
      return undefined; // group syntax: not a single sender
    else if (inAngle) angle += c;
    else current += c;
  }
  end();
  if (mailboxes.length !== 1) return undefined;
  const address = mailboxes[0]!.replace(/\s+/g, '').toLowerCase();
  const at = address.lastIndexOf('@');
  return at > 0 && at < address.length - 1 && address.indexOf('@') === at ? address : undefined;
}

/** The domain of an address (after its @). */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}
