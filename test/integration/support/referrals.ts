import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, unknown>;

const sample = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', 'referral.json'), 'utf8')) as Json;

const AREA_CODES = ['612', '651', '763', '952', '218', '320', '507'];
let consumers = 0;

/**
 * The README's sample referral as a new consumer (fresh CRM id, phone and email, so tests do not
 * see each other as repeat referrals), with the given changes merged in one level deep.
 */
export function referralBody(changes: { [key: string]: unknown } = {}): Json {
  const n = consumers++;
  const body: Json = structuredClone(sample);
  body.crmReferralId = `CRM-TEST-${process.pid}-${n}-${Math.random().toString(36).slice(2, 8)}`;
  body.consumer = {
    ...(body.consumer as Json),
    phone: `${AREA_CODES[n % AREA_CODES.length]}-555-01${String(Math.floor(n / AREA_CODES.length) % 100).padStart(2, '0')}`,
    email: `consumer-${n}@example.org`,
  };
  for (const [key, value] of Object.entries(changes)) {
    const current = body[key];
    body[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value) && typeof current === 'object'
        ? { ...(current as Json), ...(value as Json) }
        : value;
  }
  return body;
}
