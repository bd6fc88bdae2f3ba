/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * The HTML part of an email: a whole document with its language and a title (the subject), which
 * screen readers announce; `body` is trusted HTML (already escaped by the caller).
 */
export function emailDocument(title: string, body: readonly string[]): string {
  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family:Arial,sans-serif">',
    ...body,
    '</body></html>',
  ].join('\n');
}
