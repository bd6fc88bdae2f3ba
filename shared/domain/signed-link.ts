import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring, scoped tokens for links in emails (report download and upload; later the
 * secure lead page). An emailed presigned S3 URL dies with the Lambda's temporary credentials,
 * so links point at our API, which checks one of these and only then signs a short-lived URL.
 * Format: base64url(JSON claims) "." base64url(HMAC-SHA256(claims)).
 */
export type LinkScope = 'report-download' | 'report-upload' | 'lead-view' | 'contact-confirm';

export interface LinkClaims {
  readonly scope: LinkScope;
  /** What the link opens, e.g. a report id; a token opens nothing else. */
  readonly subject: string;
  readonly organizationId: string;
  /** Expiry, epoch seconds. */
  readonly exp: number;
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'tampered' | 'expired' | 'wrong-scope' | 'wrong-subject' };

export function issueLinkToken(claims: LinkClaims, secret: Buffer): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(body, secret)}`;
}

export function checkLinkToken(
  token: string | undefined,
  expected: { scope: LinkScope; subject: string },
  secret: Buffer,
  now: Date,
): LinkCheck {
  if (!token || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token) || token.length > 2048) {
    return { ok: false, reason: 'malformed' };
  }
  const [body, signature] = token.split('.') as [string, string];
  const wanted = Buffer.from(mac(body, secret));
  const given = Buffer.from(signature);
  if (wanted.length !== given.length || !timingSafeEqual(wanted, given)) return { ok: false, reason: 'tampered' };
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.scope !== expected.scope) return { ok: false, reason: 'wrong-scope' };
  if (claims.subject !== expected.subject) return { ok: false, reason: 'wrong-subject' };
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

function mac(body: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(`pal-link:v1:${body}`).digest('base64url');
}

/** A key for one purpose, derived from the signing secret, so a link token can never pass as a sheet signature. */
export function deriveKey(
  secret: Buffer,
  purpose: 'link-token' | 'report-identity' | 'lead-page' | 'contact-confirm',
): Buffer {
  return createHmac('sha256', secret).update(`pal-key:${purpose}`).digest();
}
