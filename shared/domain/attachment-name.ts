/*
 * An attachment's file name, as MNsure's own email may repeat it back to the lead contact who sent
 * it (only a sender SES proved to be an organization's lead contact is ever written to). The name
 * is the sender's text, so it is reduced to what names a file: letters, digits, spaces and . _ - ( ),
 * at most 80 characters. No ":" or "/" survives, so no link; no control or bidi character either.
 */
export const MAX_ECHOED_NAME_CHARS = 80;

export function echoableFileName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const cleaned = name
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N} ._()-]/gu, '_')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned.length === 0) return undefined;
  if (cleaned.length <= MAX_ECHOED_NAME_CHARS) return cleaned;
  // Keep the extension, which tells the contact which kind of file it was.
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 6 ? cleaned.slice(dot) : '';
  return `${cleaned.slice(0, MAX_ECHOED_NAME_CHARS - extension.length - 1)}…${extension}`;
}
