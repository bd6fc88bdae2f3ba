import type { IsoDate } from '../../../shared/domain/minnesota-time';
import type { RecordedOutcome, Referral } from '../../../shared/domain/referral';
import { sameAnswer } from '../../../shared/domain/referral';
import type { Report } from '../../../shared/domain/report';
import type { OutcomeWrite, ReportReferrals } from '../../../shared/ports/referral-store.port';
import type { ReportReturn, ReportStore } from '../../../shared/ports/report-store.port';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Referrals in memory. `assignedBetween` reads the byOrganization index, which DynamoDB keeps
 * eventually consistent: `freezeIndex()` makes it answer from a snapshot until `thawIndex()`.
 */
export class InMemoryReferrals implements ReportReferrals {
  private readonly items = new Map<string, Referral>();
  private snapshot?: Map<string, Referral>;

  constructor(referrals: readonly Referral[]) {
    for (const r of referrals) this.items.set(r.referralId, r);
  }

  all(): Referral[] {
    return [...this.items.values()];
  }

  get(referralId: string): Referral | undefined {
    return this.items.get(referralId);
  }

  async replace(referral: Referral): Promise<void> {
    this.items.set(referral.referralId, referral);
  }

  freezeIndex(): void {
    this.snapshot = new Map(this.items);
  }

  thawIndex(): void {
    this.snapshot = undefined;
  }

  async *assignedBetween(organizationId: string, from: string, to: string): AsyncIterable<Referral> {
    for (const r of (this.snapshot ?? this.items).values()) {
      if (r.routing?.organizationId === organizationId && r.referredAt >= from && r.referredAt <= to) yield r;
    }
  }

  async anyAssignedBetween(organizationId: string, from: string, to: string): Promise<boolean> {
    for await (const _ of this.assignedBetween(organizationId, from, to)) return true;
    return false;
  }

  async getMany(referralIds: readonly string[]): Promise<Referral[]> {
    return referralIds.flatMap((id) => this.items.get(id) ?? []);
  }

  async recordOutcome(referralId: string, organizationId: string, outcome: RecordedOutcome): Promise<OutcomeWrite> {
    const r = this.items.get(referralId);
    if (!r || r.routing?.organizationId !== organizationId) return 'superseded';
    if (r.outcome && r.outcome.fileOrder > outcome.fileOrder) return 'superseded';
    this.items.set(referralId, { ...r, outcome });
    return r.outcome && sameAnswer(r.outcome, outcome) ? 'unchanged' : 'changed';
  }
}

/** Reports and file claims in memory, with the conditions the DynamoDB adapter writes. */
export class InMemoryReports implements ReportStore {
  readonly items = new Map<string, Mutable<Report>>();
  private readonly fileStates = new Map<string, { state: 'ingesting' | 'done'; at: string }>();
  private readonly applied = new Map<string, string>();

  async createIfAbsent(report: Report) {
    const existing = this.items.get(report.reportId);
    if (existing) return { created: false, report: { ...existing } };
    this.items.set(report.reportId, { ...report });
    return { created: true, report };
  }
  async get(reportId: string): Promise<Report | undefined> {
    const r = this.items.get(reportId);
    return r && { ...r };
  }
  async claimEmail(reportId: string): Promise<boolean> {
    const r = this.items.get(reportId);
    return !!r && !r.emailedAt;
  }
  async markEmailed(reportId: string, emailedAt: string): Promise<void> {
    this.items.get(reportId)!.emailedAt = emailedAt;
  }
  async listOpen(dueOnOrBefore: IsoDate): Promise<Report[]> {
    return [...this.items.values()].filter((r) => r.status !== 'complete' && r.dueDate <= dueOnOrBefore);
  }
  async listPendingDue(dueOnOrBefore: IsoDate): Promise<Report[]> {
    return (await this.listOpen(dueOnOrBefore)).filter((r) => !r.overdueSince);
  }
  async countMarkedOverdue(): Promise<number> {
    return [...this.items.values()].filter((r) => r.status !== 'complete' && r.overdueSince).length;
  }
  async listForWindow(windowId: string): Promise<Report[]> {
    return [...this.items.values()].filter((r) => r.windowId === windowId);
  }
  async markReminded(): Promise<boolean> {
    return true;
  }
  async markOverdue(): Promise<boolean> {
    return true;
  }
  async setReferrals(reportId: string, referralIds: readonly string[]): Promise<void> {
    const r = this.items.get(reportId)!;
    r.referralIds = referralIds;
    r.referralCount = referralIds.length;
  }
  async recordReturn(reportId: string, result: ReportReturn): Promise<void> {
    const r = this.items.get(reportId)!;
    if (r.lastFileOrder === undefined || r.lastFileOrder <= result.fileOrder) {
      r.lastFileOrder = result.fileOrder;
      r.lastReceivedAt = result.receivedAt;
      r.problemCount = result.problemCount;
    }
    if (r.missingReferralIds === undefined || r.missingReferralIds.length >= result.missingReferralIds.length) {
      r.status = result.status;
      r.missingReferralIds = result.missingReferralIds;
    }
  }
  async claimFile(reportId: string, objectId: string, claimedAt: string, staleBefore: string) {
    const key = `${reportId}#${objectId}`;
    const state = this.fileStates.get(key);
    if (!state || (state.state === 'ingesting' && state.at < staleBefore)) {
      this.fileStates.set(key, { state: 'ingesting', at: claimedAt });
      return 'claimed' as const;
    }
    return state.state === 'done' ? ('done' as const) : ('in-progress' as const);
  }
  async completeFile(reportId: string, objectId: string, contentHash: string, at: string): Promise<void> {
    if (!this.applied.has(`${reportId}#${contentHash}`)) this.applied.set(`${reportId}#${contentHash}`, at);
    this.fileStates.set(`${reportId}#${objectId}`, { state: 'done', at });
  }
  async firstApplied(reportId: string, contentHash: string): Promise<string | undefined> {
    return this.applied.get(`${reportId}#${contentHash}`);
  }
  async releaseFile(reportId: string, objectId: string): Promise<void> {
    const key = `${reportId}#${objectId}`;
    if (this.fileStates.get(key)?.state === 'ingesting') this.fileStates.delete(key);
  }
}
