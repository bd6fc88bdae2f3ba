/**
 * A percent-encoded piece of a URL or an S3 key from outside, decoded; undefined when its escapes are
 * malformed ("%E0%A4%A", a lone "%"), which decodeURIComponent would throw as a URIError — an
 * unhandled 502 on a public link, or an event retried until it is dead-lettered.
 */
export function decodePathSegment(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
}

/** An S3 event's object key: URL-encoded, with a space as "+". */
export function decodeObjectKey(encoded: string): string | undefined {
  return decodePathSegment(encoded.replace(/\+/g, ' '));
}
