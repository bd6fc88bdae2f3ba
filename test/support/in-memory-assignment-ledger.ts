import type { LoadPeriods } from '../../shared/domain/load-periods';
import type { IsoDate } from '../../shared/domain/minnesota-time';
import type { Referral, ReferralStatus, StoredRoutingDecision } from '../../shared/domain/referral';
import type { OrganizationLoad } from '../../shared/domain/routing';
import type { AssignmentLedger, AssignResult, ReferralStore, Slot } from '../../shared/ports/referral-store.port';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The assignment ledger in memory, with the DynamoDB adapter's conditional semantics: `assign`
 * stores the decision only if none is stored and takes the slot only within the weekly limit, both or
 * neither, as one TransactWriteItems does; `move` only if the referral is still where it was. Every
 * call first yields to the event loop (as a network round trip would), so routings running at once
 * interleave between reading the loads and taking a slot, the race capacity must survive.
 */
export class InMemoryAssignmentLedger implements AssignmentLedger, Pick<ReferralStore, 'recordRouting'> {
  private readonly referrals = new Map<string, Referral>();
  private readonly counts = new Map<string, number>();
  private readonly latest = new Map<string, string>();
  /** How many calls each method got: what a routing costs, in requests. */
  readonly calls = { loadsOf: 0, assign: 0, move: 0, recordRouting: 0 };
  private conflicts = 0;

  constructor(referrals: readonly Referral[] = []) {
    for (const r of referrals) this.referrals.set(r.referralId, r);
  }

  referral(referralId: string): Referral | undefined {
    return this.referrals.get(referralId);
  }

  leadsInWeek(organizationId: string, monday: IsoDate): number {
    return this.counts.get(`${organizationId}|week|${monday}`) ?? 0;
  }

  leadsInWindow(organizationId: string, windowId: string): number {
    return this.counts.get(`${organizationId}|window|${windowId}`) ?? 0;
  }

  async loadsOf(organizationIds: readonly string[], periods: LoadPeriods): Promise<Map<string, OrganizationLoad>> {
    this.calls.loadsOf++;
    await turn();
    return new Map(
      organizationIds.map((id) => {
        const leadsThisWeek = Math.max(0, this.leadsInWeek(id, periods.weekOf));
        const latest = this.latest.get(id);
        return [
          id,
          {
            leadsThisWindow: periods.windowId ? Math.max(0, this.leadsInWindow(id, periods.windowId)) : leadsThisWeek,
            leadsThisWeek,
            ...(latest && { lastAssignedAt: latest }),
          },
        ];
      }),
    );
  }

  /** The next `n` assigns are cancelled as DynamoDB cancels a transaction that met another on its items. */
  conflictNext(n: number): void {
    this.conflicts = n;
  }

  async assign(referralId: string, decision: StoredRoutingDecision, slot: Slot): Promise<AssignResult> {
    this.calls.assign++;
    await turn();
    if (this.conflicts > 0) {
      this.conflicts--;
      return { outcome: 'contended' };
    }
    const current = this.referrals.get(referralId);
    if (!current) throw new Error(`Referral ${referralId} does not exist`);
    if (current.routing) return { outcome: 'already-decided', referral: current };
    if (
      slot.weeklyLimit !== undefined &&
      this.leadsInWeek(slot.organizationId, slot.periods.weekOf) >= slot.weeklyLimit
    ) {
      return { outcome: 'full' };
    }
    this.count(slot, 1);
    return { outcome: 'assigned', referral: this.store(current, decision, 'routed') };
  }

  async recordRouting(
    referralId: string,
    decision: StoredRoutingDecision,
    status: Extract<ReferralStatus, 'routed' | 'unroutable'>,
  ): Promise<Referral> {
    this.calls.recordRouting++;
    await turn();
    const current = this.referrals.get(referralId);
    if (!current) throw new Error(`Referral ${referralId} does not exist`);
    return current.routing ? current : this.store(current, decision, status);
  }

  async move(
    current: Referral,
    from: Slot | undefined,
    to: Slot,
    decision: StoredRoutingDecision,
  ): Promise<Referral | undefined> {
    this.calls.move++;
    await turn();
    const stored = this.referrals.get(current.referralId);
    if (!stored || stored.routing?.organizationId !== from?.organizationId) return undefined;
    if (from) this.count(from, -1);
    this.count(to, 1);
    const moved: Mutable<Referral> = { ...stored, routing: decision, status: 'routed' };
    if (stored.lead) {
      moved.previousLeads = [...(stored.previousLeads ?? []), stored.lead];
      delete moved.lead;
    }
    this.referrals.set(moved.referralId, moved);
    return moved;
  }

  async setCounts(
    organizationId: string,
    counts: { readonly windowId?: string; readonly window?: number; readonly weeks: ReadonlyMap<IsoDate, number> },
  ): Promise<void> {
    await turn();
    for (const [monday, leads] of counts.weeks) this.counts.set(`${organizationId}|week|${monday}`, leads);
    if (counts.windowId !== undefined && counts.window !== undefined) {
      this.counts.set(`${organizationId}|window|${counts.windowId}`, counts.window);
    }
  }

  private count(slot: Slot, by: 1 | -1): void {
    const bump = (key: string) => this.counts.set(key, (this.counts.get(key) ?? 0) + by);
    bump(`${slot.organizationId}|week|${slot.periods.weekOf}`);
    if (slot.periods.windowId) bump(`${slot.organizationId}|window|${slot.periods.windowId}`);
    if (by > 0) this.latest.set(slot.organizationId, slot.referredAt);
  }

  private store(current: Referral, decision: StoredRoutingDecision, status: ReferralStatus): Referral {
    const next: Referral = { ...current, routing: decision, status };
    this.referrals.set(next.referralId, next);
    return next;
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
