import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReferralRequest } from '../../shared/domain/referral-request.schema';
import { validateReferralRequest } from '../../shared/domain/referral';

export const NOW = new Date('2026-11-18T16:00:00.000Z');
export const MINUTE_MS = 60 * 1000;

// The example the CRM integration guide shows: an MA + QHP household in Hennepin County, consent given.
export const EXAMPLE = readFileSync(join(__dirname, '..', '..', 'examples', 'referral.json'), 'utf8');

export type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A fresh copy of the example body, changed by `edit`. */
export function body(edit: (b: Body) => void = () => undefined): Body {
  const b = JSON.parse(EXAMPLE) as Body;
  edit(b);
  return b;
}

export function validRequest(edit?: (b: Body) => void): ReferralRequest {
  const result = validateReferralRequest(body(edit), NOW);
  if (!result.ok) throw new Error(`expected a valid body, got ${JSON.stringify(result.issues)}`);
  return result.request;
}

export function inFuture(ms: number): string {
  return new Date(NOW.getTime() + ms).toISOString();
}
