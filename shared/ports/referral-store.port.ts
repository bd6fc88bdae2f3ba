import type {
  LeadDelivery,
  RecordedOutcome,
  Referral,
  ReferralStatus,
  StoredRoutingDecision,
} from '../domain/referral';
import type { LoadPeriods } from '../domain/load-periods';
import type { IsoDate } from '../domain/minnesota-time';
import type { OrganizationLoad } from '../domain/routing';

export type CreateResult = { created: true; referral: Referral } | { created: false; existing: Referral };

export interface ReferralStore {
  /** Stores a new referral unless its id exists; never overwrites. */
  create(referral: Referral): Promise<CreateResult>;
  get(referralId: string): Promise<Referral | undefined>;
  markPublished(referralId: string, publishedAt: string): Promise<void>;
  /** Referrals whose `Referral Created` was never published, received before the given instant. */
  listUnpublished(receivedBefore: string, limit: number): Promise<Referral[]>;
  /**
   * Stores the routing decision unless one exists; returns the referral as it now stands
   * (with the earlier decision when another delivery got there first).
   */
  recordRouting(
    referralId: string,
    decision: StoredRoutingDecision,
    status: Extract<ReferralStatus, 'routed' | 'unroutable'>,
  ): Promise<Referral>;
  /**
   * Claims the right to send the lead email: succeeds only if no claim is held and the email was
   * not sent. The claim is what makes the email at-most-once across duplicate deliveries.
   */
  claimLeadEmail(referralId: string, claim: LeadDelivery): Promise<{ claimed: true } | { claimed: false }>;
  /** Marks the claimed email as sent (status `emailed`). */
  completeLeadEmail(referralId: string, messageId: string, emailedAt: string): Promise<void>;
  /** Releases a claim when the email was certainly not sent (SES refused it, or SES was never called), so a retry may send it (status `email-failed`). */
  releaseLeadEmail(referralId: string, errorCode: string): Promise<void>;
  /**
   * A claim whose outcome cannot be known (a crash or a lost answer after SES may have accepted it):
   * never sent again automatically. `errorCode` says why, for ops.
   */
  markLeadInDoubt(referralId: string, errorCode: string): Promise<void>;
  /**
   * Opens a lead that was not delivered (in doubt, refused, or a stalled claim) for one more email
   * to the same organization: `lead`, as read, goes to `previousLeads`. Only if the stored lead is
   * still in that state under that claim; returns the referral as it now stands, or
   * undefined when it changed meanwhile.
   */
  reopenLead(referralId: string, lead: LeadDelivery): Promise<Referral | undefined>;
}

/** A referral's place on an organization's load counters. */
export interface Slot {
  readonly organizationId: string;
  readonly periods: LoadPeriods;
  /** The referral date: the organization's `lastAssignedAt` becomes it. */
  readonly referredAt: string;
  /** The week's leads may not pass this (absent: no limit, e.g. a repeat consumer, or no capacity set). */
  readonly weeklyLimit?: number;
}

export type AssignResult =
  /** The decision is stored and the slot taken, in one atomic write. */
  | { readonly outcome: 'assigned'; readonly referral: Referral }
  /** Nothing written: another delivery stored a decision first (the referral as it now stands). */
  | { readonly outcome: 'already-decided'; readonly referral: Referral }
  /** Nothing written: the organization's week is full (a slot counted since the load was read). */
  | { readonly outcome: 'full' }
  /** Nothing written: another write on the same items was under way; read the loads again and retry. */
  | { readonly outcome: 'contended' };

/**
 * Organizations' load counters per reporting window and per week, each taken by the same atomic write
 * that stores the referral's decision: reading them and taking a slot cost the same however many
 * leads the window already holds, and a slot one routing took is never seen as free by another.
 */
export interface AssignmentLedger {
  /** Each organization's load in these periods (organizations with no lead yet: zero). */
  loadsOf(organizationIds: readonly string[], periods: LoadPeriods): Promise<Map<string, OrganizationLoad>>;
  /** Stores the routed decision unless one is stored, and takes the slot within its weekly limit. */
  assign(referralId: string, decision: StoredRoutingDecision, slot: Slot): Promise<AssignResult>;
  /**
   * Moves a referral to another organization: the new decision, a fresh lead (the earlier one kept in
   * `previousLeads`), the slot released at `from` (undefined: it was unroutable and held none) and
   * taken at `to` (no limit: whoever moves it decided), all in one atomic write, and only if the
   * referral is still where `current` says. Returns it as it now stands, or undefined when it had moved.
   */
  move(
    current: Referral,
    from: Slot | undefined,
    to: Slot,
    decision: StoredRoutingDecision,
  ): Promise<Referral | undefined>;
  /** Sets an organization's counters for these periods to a recount (rebuilding them for ops). */
  setCounts(
    organizationId: string,
    counts: { readonly windowId?: string; readonly window?: number; readonly weeks: ReadonlyMap<IsoDate, number> },
  ): Promise<void>;
}

/**
 * What storing one row's outcome did: `changed` (stored, with other values than before), `unchanged`
 * (stored, the same values: only the file it came from moved on), `superseded` (not stored: an outcome
 * from a file that arrived later is there, or the referral is no longer the organization's).
 */
export type OutcomeWrite = 'changed' | 'unchanged' | 'superseded';

/** The referrals in one organization's reporting window (access pattern 3), and their outcomes. */
export interface ReportReferrals {
  /** From the byOrganization index: eventually consistent, so never the last word on outcomes. */
  assignedBetween(organizationId: string, referredFrom: string, referredTo: string): AsyncIterable<Referral>;
  /** Whether the organization has any referral in that range: one item read, whatever the window holds. */
  anyAssignedBetween(organizationId: string, referredFrom: string, referredTo: string): Promise<boolean>;
  /** These referrals as stored now (strongly consistent reads); ids that do not exist are left out. */
  getMany(referralIds: readonly string[]): Promise<Referral[]>;
  /** Stores the outcome on a referral of that organization unless a later file's outcome is already there. */
  recordOutcome(referralId: string, organizationId: string, outcome: RecordedOutcome): Promise<OutcomeWrite>;
}

/** A referral as the byDay index sees it: where, what type, what became of it; no consumer PII. */
export interface ReferralSummary {
  readonly referralId: string;
  readonly referredAt: string;
  readonly countyFips: string;
  readonly assisterType: 'navigator' | 'broker';
  readonly preferredLanguage?: string;
  readonly status: ReferralStatus;
  readonly organizationId?: string;
}
