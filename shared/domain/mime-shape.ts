import type { HeaderField } from './mail-headers';
import { MAX_HEADER_FIELD_CHARS } from './mail-headers';

/*
 * The MIME structure of a proven sender's email, checked in one linear pass before mailparser reads
 * it, because mailparser is not linear on every shape (measured on mailparser 3.9): a header field
 * folded into many short lines costs time quadratic in its length (0.2 MB: 2.8 s, 0.4 MB: 15 s), and
 * a thousand small attachments never resolve. A reply with a sheet has a handful of parts.
 */
export const MIME_LIMITS = {
  /** Body parts in the whole message (text, HTML, signature images, the sheet). */
  maxParts: 100,
  /** multipart inside multipart (a forwarded reply is 3 or 4 deep). */
  maxDepth: 10,
  /** One part's header block. */
  maxPartHeaderBytes: 64 * 1024,
} as const;

export type MimeShape = { ok: true; parts: number } | { ok: false; rule: 'mime-too-complex'; detail: string };

/**
 * Walks the body from `bodyOffset` (after the top-level header block) line by line, following
 * boundaries, and counts parts, nesting and each part's header size and longest field.
 */
export function checkMimeShape(
  raw: Buffer,
  topFields: readonly HeaderField[],
  bodyOffset: number,
  limits: typeof MIME_LIMITS = MIME_LIMITS,
): MimeShape {
  const top = boundaryOf(topFields.find((f) => f.name === 'content-type')?.value);
  if (top === undefined) return { ok: true, parts: 1 };
  const open: string[] = [top];
  let parts = 0;
  let inHeaders = false;
  let headerBytes = 0;
  let field = '';
  let fieldLength = 0;
  const tooComplex = (detail: string): MimeShape => ({ ok: false, rule: 'mime-too-complex', detail });
  const endField = (): MimeShape | undefined => {
    if (!field.startsWith('content-type:')) return undefined;
    const inner = boundaryOf(field.slice('content-type:'.length));
    if (inner === undefined) return undefined;
    open.push(inner);
    return open.length > limits.maxDepth ? tooComplex('multipart nested too deep') : undefined;
  };
  let start = bodyOffset;
  while (start < raw.length) {
    // In a part's header block a line longer than the cap is refused without looking for its end.
    const window = inHeaders ? raw.subarray(start, start + limits.maxPartHeaderBytes + 2) : raw.subarray(start);
    const found = window.indexOf(0x0a);
    const nl = found < 0 ? start + window.length : start + found;
    const end = nl > start && raw[nl - 1] === 0x0d ? nl - 1 : nl;
    const length = end - start;
    if (inHeaders) {
      headerBytes += nl + 1 - start;
      if (headerBytes > limits.maxPartHeaderBytes) return tooComplex('a part header block over the cap');
      if (length === 0) {
        const nested = endField();
        if (nested) return nested;
        inHeaders = false;
      } else if (raw[start] === 0x20 || raw[start] === 0x09) {
        fieldLength += length;
        if (fieldLength > MAX_HEADER_FIELD_CHARS) return tooComplex('a part header field over the cap');
        // Only Content-Type's text is kept (for a nested boundary); other fields are only measured.
        if (field.startsWith('content-type:')) field += ' ' + raw.toString('latin1', start, end).trim();
      } else {
        const nested = endField();
        if (nested) return nested;
        fieldLength = length;
        if (fieldLength > MAX_HEADER_FIELD_CHARS) return tooComplex('a part header field over the cap');
        const head = raw.toString('latin1', start, Math.min(end, start + 13)).toLowerCase();
        // The boundary keeps its case (it is compared byte for byte with the delimiter lines).
        field = head === 'content-type:' ? head + raw.toString('latin1', start + 13, end) : head;
      }
    } else if (length >= 2 && raw[start] === 0x2d && raw[start + 1] === 0x2d) {
      // "--boundary" opens a part; "--boundary--" closes that multipart (and any left open inside it).
      const line = raw.toString('latin1', start + 2, end).trimEnd();
      const closing = line.endsWith('--') ? line.slice(0, -2) : undefined;
      const at = open.lastIndexOf(closing ?? line);
      if (at >= 0 && closing !== undefined) open.length = at;
      else if (at >= 0) {
        open.length = at + 1;
        if (++parts > limits.maxParts) return tooComplex('too many parts');
        inHeaders = true;
        headerBytes = 0;
        field = '';
        fieldLength = 0;
      }
    }
    start = nl + 1;
  }
  return { ok: true, parts };
}

/** The boundary parameter of a Content-Type value, if it is a multipart; case kept as written. */
function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return undefined;
  const at = contentType.toLowerCase().indexOf('boundary=');
  if (at < 0) return undefined;
  let rest = contentType.slice(at + 'boundary='.length).trim();
  if (rest.startsWith('"')) {
    const close = rest.indexOf('"', 1);
    rest = close > 0 ? rest.slice(1, close) : rest.slice(1);
  } else {
    const semi = rest.indexOf(';');
    rest = (semi >= 0 ? rest.slice(0, semi) : rest).trim();
  }
  return rest.length > 0 ? rest : undefined;
}
