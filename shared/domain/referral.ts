import { createHash } from 'node:crypto';
import type { AssisterType, AssisterTypeRuling, Determination } from './assister-type';
import { requiredAssisterType } from './assister-type';
import { resolveCounty } from './counties';
import type { HelpReasonCategory } from './help-reason';
import type { LanguageCode } from './languages';
import { normalizeUsPhone } from './phone';
import type { ReferralRequest } from './referral-request.schema';
import { crossFieldIssues, ReferralRequestSchema } from './referral-request.schema';
import type { RoutingDecision } from './routing';
import type { FieldIssue } from './validation';
import { toFieldIssues } from './validation';

/** The routing decision as stored on the referral: when, and in which reporting window. */
export type StoredRoutingDecision = RoutingDecision & {
  readonly decidedAt: string;
  readonly windowId?: string;
  /** Set when ops or a bounce moved the referral: from which organization, by whom, why. */
  readonly reassignedFrom?: string;
  readonly reassignedBy?: string;
};

export type ReferralStatus = 'received' | 'routed' | 'unroutable' | 'emailed' | 'email-failed';

/** Where the lead email stands: `sending` is the claim that keeps a second email from going out. */
export interface LeadDelivery {
  readonly state: 'sending' | 'sent' | 'failed' | 'in-doubt';
  readonly organizationId: string;
  readonly claimedAt: string;
  /** A claim older than this may be judged: EventBridge stops retrying after 24 h, so ≥ 24 h. */
  readonly claimExpiresAt: string;
  readonly attempts: number;
  readonly messageId?: string;
  readonly emailedAt?: string;
  readonly lastErrorCode?: string;
}

/** Longer than any Lambda may run (15 minutes): a `sending` claim this old has no sender behind it. */
export const STALLED_CLAIM_MS = 15 * 60 * 1000;

/**
 * Why a lead email is not out, when ops must act: `in-doubt` (SES may have it: check with the
 * organization), `failed` (SES refused it; the event may still be retried, and is dead-lettered
 * when the retries run out), `stalled` (a sender died holding the claim and no retry came).
 * Undefined while sent, or while a send may still be running.
 */
export function undeliveredState(
  lead: LeadDelivery | undefined,
  now: Date,
): 'in-doubt' | 'failed' | 'stalled' | undefined {
  if (lead?.state === 'in-doubt' || lead?.state === 'failed') return lead.state;
  if (lead?.state === 'sending' && now.getTime() - Date.parse(lead.claimedAt) > STALLED_CLAIM_MS) return 'stalled';
  return undefined;
}

/** A referral's outcome as an organization reported it, and where it came from. */
export interface RecordedOutcome {
  readonly contactMade: boolean;
  readonly contactDate?: string;
  readonly resolution: string;
  readonly comments?: string;
  readonly reportId: string;
  readonly fileKey: string;
  /** When the file arrived: a later file's outcome replaces an earlier one, never the reverse. */
  readonly fileReceivedAt: string;
  /** fileReceivedAt then the file's key: a total order of files, so two arriving in the same second still have a last. */
  readonly fileOrder: string;
  readonly recordedAt: string;
}

/** The same answer from the organization, whichever file carried it. */
export function sameAnswer(a: RecordedOutcome, b: RecordedOutcome): boolean {
  return (
    a.reportId === b.reportId &&
    a.contactMade === b.contactMade &&
    a.contactDate === b.contactDate &&
    a.resolution === b.resolution &&
    a.comments === b.comments
  );
}

export interface Consumer {
  readonly firstName: string;
  readonly lastName: string;
  /** E.164 */
  readonly phone: string;
  readonly email?: string;
  readonly preferredContactMethod: 'phone' | 'text' | 'email';
  readonly preferredLanguage?: LanguageCode;
  readonly countyFips: string;
  readonly countyName: string;
  readonly zip?: string;
}

export interface CaseFacts {
  readonly hasActiveAccount: boolean;
  readonly hasActiveApplication: boolean;
  readonly determinations: readonly Determination[];
  readonly helpReason: { readonly category: HelpReasonCategory; readonly details: string };
  readonly guidanceGiven: string;
}

export interface Referral {
  readonly referralId: string;
  readonly crmReferralId: string;
  /** Fingerprint of the request body as received: a retry must match it, or it is a conflict. */
  readonly requestFingerprint: string;
  readonly receivedAt: string;
  readonly referredAt: string;
  readonly representativeId: string;
  readonly consumer: Consumer;
  readonly case: CaseFacts;
  readonly consentToShare: true;
  readonly requestedAssisterType?: AssisterType;
  readonly assisterType: AssisterType;
  readonly assisterTypeRule: AssisterTypeRuling['rule'];
  readonly status: ReferralStatus;
  /** Set once `Referral Created` has been published; the sweeper re-publishes those without it. */
  readonly publishedAt?: string;
  readonly routing?: StoredRoutingDecision;
  readonly lead?: LeadDelivery;
  /** Leads emailed to organizations the referral was later taken from (reassignment, bounce). */
  readonly previousLeads?: readonly LeadDelivery[];
  /** What the organization reported in its Preferred Assister Report. */
  readonly outcome?: RecordedOutcome;
}

/**
 * The referral id is derived from the CRM's id, so a retry lands on the same record with one
 * conditional write (no second index, no transaction) and the id reveals nothing of the consumer.
 */
export function referralIdFor(crmReferralId: string): string {
  const digest = createHash('sha256').update(`pal-referral:v1:${crmReferralId}`).digest();
  return `ref_${base32(digest).slice(0, 26)}`;
}

/** A stable digest of a JSON body, insensitive to key order and formatting. */
export function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('base64url');
}

export type ValidationResult = { ok: true; request: ReferralRequest } | { ok: false; issues: FieldIssue[] };

/** Validates an intake body; `now` is the receipt time, against which `referredAt` may not lie ahead. */
export function validateReferralRequest(body: unknown, now: Date): ValidationResult {
  const parsed = ReferralRequestSchema.safeParse(body, { reportInput: true });
  const issues = [...(parsed.success ? [] : toFieldIssues(parsed.error)), ...crossFieldIssues(body, now)];
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  return { ok: true, request: parsed.data };
}

/** The stored referral for a valid request: canonical phone and county, the assister type by the program's rule. */
export function newReferral(request: ReferralRequest, fingerprint: string, receivedAt: Date): Referral {
  const county = resolveCounty(request.consumer.county);
  const phone = normalizeUsPhone(request.consumer.phone);
  if (!county || !phone) throw new Error('newReferral called with an unvalidated request');
  const ruling = requiredAssisterType(request.case);
  const c = request.consumer;
  return {
    referralId: referralIdFor(request.crmReferralId),
    crmReferralId: request.crmReferralId,
    requestFingerprint: fingerprint,
    receivedAt: receivedAt.toISOString(),
    referredAt: new Date(request.referredAt ?? receivedAt).toISOString(),
    representativeId: request.representativeId,
    consumer: {
      firstName: c.firstName,
      lastName: c.lastName,
      phone,
      ...(c.email !== undefined && { email: c.email.toLowerCase() }),
      preferredContactMethod: c.preferredContactMethod,
      ...(c.preferredLanguage !== undefined && { preferredLanguage: c.preferredLanguage }),
      countyFips: county.fips,
      countyName: county.name,
      ...(c.zip !== undefined && { zip: c.zip }),
    },
    case: request.case,
    consentToShare: true,
    ...(request.requestedAssisterType !== undefined && { requestedAssisterType: request.requestedAssisterType }),
    assisterType: ruling.type,
    assisterTypeRule: ruling.rule,
    status: 'received',
  };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}
