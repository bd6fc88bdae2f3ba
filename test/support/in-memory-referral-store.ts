import type {
  LeadDelivery,
  RecordedOutcome,
  Referral,
  ReferralStatus,
  StoredRoutingDecision,
} from '../../shared/domain/referral';
import { sameAnswer } from '../../shared/domain/referral';
import type { LoadPeriods } from '../../shared/domain/load-periods';
import type { IsoDate } from '../../shared/domain/minnesota-time';
import type { OrganizationLoad } from '../../shared/domain/routing';
import type {
  AssignmentLedger,
  AssignResult,
  CreateResult,
  OutcomeWrite,
  ReferralStore,
  ReportReferrals,
  Slot,
} from '../../shared/ports/referral-store.port';
import { conditionFailed } from './condition-failed';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Stored = Mutable<Referral> & { publishPending?: true };

/**
 * Referrals in memory, with the conditions `DynamoReferralStore` writes (a use-case test on it fails
 * where DynamoDB would refuse): create never overwrites, one routing decision, a lead claim only when
 * none is held (or after a refusal, for the next attempt), claim settlement only from `sending`,
 * a decision and its load slot in one write (within the weekly limit), moves and reopening only from
 * the state read. Reads return copies, as DynamoDB does.
 *
 * The byOrganization index (`assignedBetween`) is eventually consistent on DynamoDB: `freezeIndex()`
 * makes it answer from a snapshot until `thawIndex()`.
 */
export class InMemoryReferralStore implements ReferralStore, AssignmentLedger, ReportReferrals {
  private readonly items = new Map<string, Stored>();
  private snapshot?: Map<string, Referral>;
  /** Load counters, `<org>|week|<monday>` and `<org>|window|<windowId>`, as the directory table keeps them. */
  private readonly counts = new Map<string, number>();
  private readonly latest = new Map<string, string>();

  constructor(referrals: readonly Referral[] = []) {
    for (const r of referrals) this.items.set(r.referralId, structuredClone(r) as Stored);
  }

  /** The referral as stored now, for a test's assertions (not part of any port). */
  peek(referralId: string): Referral | undefined {
    const item = this.items.get(referralId);
    return item && strip(item);
  }

  all(): Referral[] {
    return [...this.items.values()].map(strip);
  }

  /** Overwrites a referral, as a test sets up a state no use case would write. */
  async replace(referral: Referral): Promise<void> {
    this.items.set(referral.referralId, structuredClone(referral) as Stored);
  }

  freezeIndex(): void {
    this.snapshot = new Map([...this.items].map(([id, r]) => [id, strip(r)]));
  }

  thawIndex(): void {
    this.snapshot = undefined;
  }

  async create(referral: Referral): Promise<CreateResult> {
    const existing = this.items.get(referral.referralId);
    if (existing) return { created: false, existing: strip(existing) };
    this.items.set(referral.referralId, { ...structuredClone(referral), publishPending: true });
    return { created: true, referral };
  }

  async get(referralId: string): Promise<Referral | undefined> {
    return this.peek(referralId);
  }

  async markPublished(referralId: string, publishedAt: string): Promise<void> {
    const r = this.required(referralId);
    r.publishedAt = publishedAt;
    delete r.publishPending;
  }

  async listUnpublished(receivedBefore: string, limit: number): Promise<Referral[]> {
    return [...this.items.values()]
      .filter((r) => r.publishPending && r.receivedAt < receivedBefore)
      .slice(0, limit)
      .map(strip);
  }

  async recordRouting(
    referralId: string,
    decision: StoredRoutingDecision,
    status: Extract<ReferralStatus, 'routed' | 'unroutable'>,
  ): Promise<Referral> {
    const r = this.items.get(referralId);
    if (!r) throw new Error(`Referral ${referralId} does not exist`);
    if (!r.routing) Object.assign(r, { routing: structuredClone(decision), status });
    return strip(r);
  }

  async claimLeadEmail(referralId: string, claim: LeadDelivery): Promise<{ claimed: true } | { claimed: false }> {
    const r = this.items.get(referralId);
    const free = !r?.lead || (r.lead.state === 'failed' && r.lead.attempts === claim.attempts - 1);
    if (!r?.routing || !free) return { claimed: false };
    r.lead = { ...claim };
    return { claimed: true };
  }

  async completeLeadEmail(referralId: string, messageId: string, emailedAt: string): Promise<void> {
    this.settleLead(referralId, 'sent', 'emailed', { messageId, emailedAt });
  }

  async releaseLeadEmail(referralId: string, errorCode: string): Promise<void> {
    this.settleLead(referralId, 'failed', 'email-failed', { lastErrorCode: errorCode });
  }

  async markLeadInDoubt(referralId: string, errorCode: string): Promise<void> {
    this.settleLead(referralId, 'in-doubt', 'email-failed', { lastErrorCode: errorCode });
  }

  async reopenLead(referralId: string, lead: LeadDelivery): Promise<Referral | undefined> {
    const r = this.items.get(referralId);
    if (!r?.lead || r.lead.state !== lead.state || r.lead.claimedAt !== lead.claimedAt) return undefined;
    r.previousLeads = [...(r.previousLeads ?? []), { ...lead }];
    r.status = 'routed';
    delete r.lead;
    return strip(r);
  }

  async loadsOf(organizationIds: readonly string[], periods: LoadPeriods): Promise<Map<string, OrganizationLoad>> {
    return new Map(
      organizationIds.map((id) => {
        const leadsThisWeek = this.counted(id, 'week', periods.weekOf);
        const latest = this.latest.get(id);
        return [
          id,
          {
            leadsThisWindow: periods.windowId ? this.counted(id, 'window', periods.windowId) : leadsThisWeek,
            leadsThisWeek,
            ...(latest && { lastAssignedAt: latest }),
          },
        ];
      }),
    );
  }

  /** One TransactWriteItems on DynamoDB: the decision unless one is stored, and the slot within its limit. */
  async assign(referralId: string, decision: StoredRoutingDecision, slot: Slot): Promise<AssignResult> {
    const r = this.items.get(referralId);
    if (!r) throw new Error(`Referral ${referralId} does not exist`);
    if (r.routing) return { outcome: 'already-decided', referral: strip(r) };
    const week = this.counted(slot.organizationId, 'week', slot.periods.weekOf);
    if (slot.weeklyLimit !== undefined && week >= slot.weeklyLimit) return { outcome: 'full' };
    this.count(slot, 1);
    Object.assign(r, { routing: structuredClone(decision), status: 'routed' });
    return { outcome: 'assigned', referral: strip(r) };
  }

  /** Only if the referral is still where it was read; the slot moves with it, in the same write. */
  async move(current: Referral, from: Slot | undefined, to: Slot, decision: StoredRoutingDecision) {
    const r = this.items.get(current.referralId);
    if (!r || r.routing?.organizationId !== from?.organizationId) return undefined;
    if (from) this.count(from, -1);
    this.count(to, 1);
    if (r.lead) r.previousLeads = [...(r.previousLeads ?? []), r.lead];
    delete r.lead;
    Object.assign(r, { routing: structuredClone(decision), status: 'routed' });
    return strip(r);
  }

  async setCounts(
    organizationId: string,
    counts: { readonly windowId?: string; readonly window?: number; readonly weeks: ReadonlyMap<IsoDate, number> },
  ): Promise<void> {
    for (const [monday, leads] of counts.weeks) this.counts.set(`${organizationId}|week|${monday}`, leads);
    if (counts.windowId !== undefined && counts.window !== undefined) {
      this.counts.set(`${organizationId}|window|${counts.windowId}`, counts.window);
    }
  }

  async *assignedBetween(organizationId: string, from: string, to: string): AsyncIterable<Referral> {
    for (const r of this.assigned(this.snapshot ?? this.items, organizationId, from, to)) yield strip(r);
  }

  async anyAssignedBetween(organizationId: string, from: string, to: string): Promise<boolean> {
    for await (const _ of this.assignedBetween(organizationId, from, to)) return true;
    return false;
  }

  async getMany(referralIds: readonly string[]): Promise<Referral[]> {
    return referralIds.flatMap((id) => this.peek(id) ?? []);
  }

  async recordOutcome(referralId: string, organizationId: string, outcome: RecordedOutcome): Promise<OutcomeWrite> {
    const r = this.items.get(referralId);
    if (!r || r.routing?.organizationId !== organizationId) return 'superseded';
    if (r.outcome && r.outcome.fileOrder > outcome.fileOrder) return 'superseded';
    const before = r.outcome;
    r.outcome = { ...outcome };
    return before && sameAnswer(before, outcome) ? 'unchanged' : 'changed';
  }

  private counted(organizationId: string, period: 'week' | 'window', id: string): number {
    return Math.max(0, this.counts.get(`${organizationId}|${period}|${id}`) ?? 0);
  }

  private count(slot: Slot, by: 1 | -1): void {
    const bump = (key: string) => this.counts.set(key, (this.counts.get(key) ?? 0) + by);
    bump(`${slot.organizationId}|week|${slot.periods.weekOf}`);
    if (slot.periods.windowId) bump(`${slot.organizationId}|window|${slot.periods.windowId}`);
    if (by > 0 && (this.latest.get(slot.organizationId) ?? '') < slot.referredAt) {
      this.latest.set(slot.organizationId, slot.referredAt);
    }
  }

  private *assigned(items: ReadonlyMap<string, Referral>, organizationId: string, from: string, to: string) {
    for (const r of items.values()) {
      if (r.routing?.organizationId === organizationId && r.referredAt >= from && r.referredAt <= to) yield r;
    }
  }

  private required(referralId: string): Stored {
    const r = this.items.get(referralId);
    if (!r) throw conditionFailed(`referral ${referralId} does not exist`);
    return r;
  }

  /** DynamoDB's condition `#lead.#state = :sending`: only a held claim is settled. */
  private settleLead(
    referralId: string,
    state: LeadDelivery['state'],
    status: ReferralStatus,
    fields: Partial<LeadDelivery>,
  ): void {
    const r = this.required(referralId);
    if (r.lead?.state !== 'sending') throw conditionFailed(`the lead of ${referralId} is not being sent`);
    r.lead = { ...r.lead, ...fields, state };
    r.status = status;
  }
}

function strip(item: Referral): Referral {
  const { publishPending: _pending, ...referral } = item as Stored;
  return structuredClone(referral);
}
