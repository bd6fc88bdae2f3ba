import type { IsoDate } from '../../domain/minnesota-time';
import type { Outcome, OutcomeIssue } from '../../domain/outcome';
import type { FieldIssue } from '../../domain/validation';

/*
 * What the assister portal (functions/portal) asks of the use cases behind it, for its HTML forms and its JSON
 * API alike: record an outcome, read a lead's outcome history, return a lead, pause new leads. The portal
 * handler owns sign-in, sessions, CSRF and rendering; it turns a form or a JSON body into the plain object each
 * action takes (`input: unknown`, validated by the action itself) and maps each result to a status:
 * ok → 200 (return: 202), forbidden → 403, invalid → 422 naming each field and rule, closed or
 * contact-recorded → 409. `forbidden` covers an unknown referral as well as another organization's, so an
 * answer reveals nothing about leads that are not the caller's.
 */

/** Who acts in the portal: an organization's designated lead contact, signed in. */
export interface PortalActor {
  readonly organizationId: string;
  /** The signed-in address, lower-case: the organization's lead contact when the session began. */
  readonly email: string;
  readonly sessionId: string;
}

/** The audit log's `actor` for anything done in the portal: the organization itself, as lead-page views are. */
export function portalActorName(actor: Pick<PortalActor, 'organizationId'>): string {
  return `organization:${actor.organizationId}`;
}

/** A referral's outcome as stored, whichever path recorded it. */
export interface StoredOutcomeView extends Outcome {
  readonly source: 'portal' | 'sheet';
  readonly recordedAt: string;
  /** The last day it may still be changed: the report's due date plus its grace days. */
  readonly editableUntil: IsoDate;
}

export type RecordOutcomeResult =
  | { readonly ok: true; readonly outcome: StoredOutcomeView }
  | { readonly ok: false; readonly kind: 'forbidden' }
  | { readonly ok: false; readonly kind: 'invalid'; readonly issues: readonly OutcomeIssue[] }
  | { readonly ok: false; readonly kind: 'closed'; readonly editableUntil: IsoDate };

/** One change of a referral's outcome, for the history shown on the lead's page (oldest first). */
export interface OutcomeHistoryEntry {
  readonly at: string;
  /** `organization:<id>` for the portal and the returned sheet alike; ops' principal for an ops change. */
  readonly actor: string;
  readonly source: 'portal' | 'sheet';
  readonly before?: Outcome;
  readonly after: Outcome;
}

export type ReturnLeadResult =
  | {
      readonly ok: true;
      readonly referralId: string;
      readonly returnedAt: string;
      /** False when no other organization could take it: the referral is unroutable and ops are alerted. */
      readonly rerouted: boolean;
    }
  | { readonly ok: false; readonly kind: 'forbidden' }
  | { readonly ok: false; readonly kind: 'invalid'; readonly issues: readonly FieldIssue[] }
  | { readonly ok: false; readonly kind: 'contact-recorded' };

export type PauseIntakeResult =
  | { readonly ok: true; readonly pausedSince: string; readonly resumesOn?: IsoDate }
  | { readonly ok: false; readonly kind: 'invalid'; readonly issues: readonly FieldIssue[] };

export interface PortalActions {
  /** `input`: `{ contactMade?: boolean, contactDate?: string, resolution?: string, comments?: string }`. */
  recordOutcome(actor: PortalActor, referralId: string, input: unknown): Promise<RecordOutcomeResult>;
  outcomeHistory(actor: PortalActor, referralId: string): Promise<readonly OutcomeHistoryEntry[] | 'forbidden'>;
  /** `input`: `{ reason?: ReturnReason, details?: string }` (shared/domain/lead-return.ts). */
  returnLead(actor: PortalActor, referralId: string, input: unknown): Promise<ReturnLeadResult>;
  /** `input`: `{ reason?: string, resumesOn?: 'YYYY-MM-DD' }`. */
  pauseIntake(actor: PortalActor, input: unknown): Promise<PauseIntakeResult>;
}
