import type { IsoDate } from '../../shared/domain/minnesota-time';
import type { Report } from '../../shared/domain/report';
import type { ReportReturn, ReportStore } from '../../shared/ports/report-store.port';
import { conditionFailed } from './condition-failed';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Stored = Mutable<Report> & { emailClaimedAt?: string; open?: true };

/**
 * Reports and file claims in memory, with the conditions `DynamoReportStore` writes: one email claim
 * (a stale one taken over), reminder and overdue marked once while open, returns that never go
 * backwards, one ingest per stored object. Reads return copies.
 */
export class InMemoryReportStore implements ReportStore {
  private readonly items = new Map<string, Stored>();
  private readonly fileStates = new Map<string, { state: 'ingesting' | 'done'; at: string }>();
  private readonly applied = new Map<string, string>();

  /** The report as stored now, for a test's assertions and set-up (not part of the port). */
  peek(reportId: string): Report | undefined {
    const r = this.items.get(reportId);
    return r && strip(r);
  }

  /** Changes a stored report as a test sets up a state (e.g. one sent before a field was kept). */
  edit(reportId: string, change: (report: Mutable<Report>) => void): void {
    change(this.required(reportId));
  }

  async createIfAbsent(report: Report) {
    const existing = this.items.get(report.reportId);
    if (existing) return { created: false, report: strip(existing) };
    this.items.set(report.reportId, { ...structuredClone(report), open: true });
    return { created: true, report };
  }
  async get(reportId: string): Promise<Report | undefined> {
    return this.peek(reportId);
  }
  async claimEmail(reportId: string, claimedAt: string, staleBefore: string): Promise<boolean> {
    const r = this.items.get(reportId);
    if (!r || r.emailedAt || (r.emailClaimedAt !== undefined && r.emailClaimedAt >= staleBefore)) return false;
    r.emailClaimedAt = claimedAt;
    return true;
  }
  async markEmailed(reportId: string, emailedAt: string): Promise<void> {
    this.required(reportId).emailedAt = emailedAt;
  }
  async listOpen(dueOnOrBefore: IsoDate): Promise<Report[]> {
    return [...this.items.values()].filter((r) => r.open && r.dueDate <= dueOnOrBefore).map(strip);
  }
  async listPendingDue(dueOnOrBefore: IsoDate): Promise<Report[]> {
    return (await this.listOpen(dueOnOrBefore)).filter((r) => !r.overdueSince);
  }
  async countMarkedOverdue(): Promise<number> {
    return [...this.items.values()].filter((r) => r.open && r.overdueSince).length;
  }
  async listForWindow(windowId: string): Promise<Report[]> {
    return [...this.items.values()].filter((r) => r.windowId === windowId).map(strip);
  }
  async markReminded(reportId: string, remindedAt: string): Promise<boolean> {
    const r = this.items.get(reportId);
    if (!r?.open || r.remindedAt) return false;
    r.remindedAt = remindedAt;
    return true;
  }
  async markOverdue(reportId: string, since: IsoDate): Promise<boolean> {
    const r = this.items.get(reportId);
    if (!r?.open || r.overdueSince) return false;
    r.overdueSince = since;
    return true;
  }
  async setReferrals(reportId: string, referralIds: readonly string[]): Promise<void> {
    const r = this.required(reportId);
    r.referralIds = [...referralIds];
    r.referralCount = referralIds.length;
  }
  async recordReturn(reportId: string, result: ReportReturn): Promise<void> {
    const r = this.items.get(reportId);
    if (!r) return; // both of DynamoDB's updates are conditional on the report: nothing is written
    if (r.lastFileOrder === undefined || r.lastFileOrder <= result.fileOrder) {
      Object.assign(r, {
        lastFileOrder: result.fileOrder,
        lastReceivedAt: result.receivedAt,
        problemCount: result.problemCount,
      });
    }
    if (r.missingReferralIds === undefined || r.missingReferralIds.length >= result.missingReferralIds.length) {
      Object.assign(r, { status: result.status, missingReferralIds: [...result.missingReferralIds] });
      if (result.status === 'complete') {
        delete r.open;
        delete r.overdueSince;
      } else r.open = true;
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

  private required(reportId: string): Stored {
    const r = this.items.get(reportId);
    if (!r) throw conditionFailed(`report ${reportId} does not exist`);
    return r;
  }
}

function strip(item: Stored): Report {
  const { emailClaimedAt: _claim, open: _open, ...report } = item;
  return structuredClone(report);
}
