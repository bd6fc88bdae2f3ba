import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ReportIdentity } from './report-sheet';

/*
 * A report file carries its identity (report, organization, window) and an HMAC over it. Anyone can edit the
 * hidden sheet, but without MNsure's secret nobody can make a sheet pass as another organization's or window's.
 */

/** HMAC-SHA256 needs a key at least as long as its output to give its full strength. */
const MIN_SECRET_BYTES = 32;
/** 32 bytes of HMAC-SHA256 in unpadded base64url. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A JSON array is unambiguous: no choice of field values can make two identities sign the same text. */
function canonicalText(identity: ReportIdentity): string {
  return JSON.stringify([
    'pal-report',
    identity.version,
    identity.reportId,
    identity.organizationId,
    identity.windowId,
  ]);
}

function isReportIdentity(value: unknown): value is ReportIdentity {
  if (typeof value !== 'object' || value === null) return false;
  const { reportId, organizationId, windowId, version } = value as Record<string, unknown>;
  return (
    version === 1 &&
    [reportId, organizationId, windowId].every((field) => typeof field === 'string' && field.length > 0)
  );
}

function hmac(identity: ReportIdentity, secret: Buffer): Buffer {
  return createHmac('sha256', secret).update(canonicalText(identity), 'utf8').digest();
}

/** The signature a report file carries; throws on an identity with empty fields or a secret too short to trust. */
export function signReportIdentity(identity: ReportIdentity, secret: Buffer): string {
  if (!isReportIdentity(identity)) {
    throw new RangeError('A report identity needs a reportId, organizationId and windowId, and version 1');
  }
  if (!Buffer.isBuffer(secret) || secret.length < MIN_SECRET_BYTES) {
    throw new RangeError(`The report signing secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return hmac(identity, secret).toString('base64url');
}

/** True only when signature is the one signReportIdentity gives; false on any malformed input, never a throw. */
export function verifyReportIdentity(identity: unknown, signature: unknown, secret: Buffer): boolean {
  if (
    !isReportIdentity(identity) ||
    typeof signature !== 'string' ||
    !SIGNATURE_PATTERN.test(signature) ||
    !Buffer.isBuffer(secret) ||
    secret.length < MIN_SECRET_BYTES
  ) {
    return false;
  }
  const expected = hmac(identity, secret);
  const given = Buffer.from(signature, 'base64url');
  // Constant time, so response timing does not reveal how much of a forged signature was right.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
