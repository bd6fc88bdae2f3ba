import type { IsoDate } from '../domain/minnesota-time';
import type { Report } from '../domain/report';

/** What a returned file left on its report (`ReportStore.recordReturn`). */
export interface ReportReturn {
  readonly status: 'complete' | 'incomplete';
  readonly receivedAt: string;
  readonly fileOrder: string;
  readonly missingReferralIds: readonly string[];
  readonly problemCount: number;
}

export interface ReportStore {
  /** Creates the report unless it exists; returns it as stored either way. */
  createIfAbsent(report: Report): Promise<{ created: boolean; report: Report }>;
  get(reportId: string): Promise<Report | undefined>;
  /**
   * Claims the right to email the report (once): succeeds if no email was sent and no live claim
   * is held. A claim older than `staleBefore` is taken over (its job died before sending).
   */
  claimEmail(reportId: string, claimedAt: string, staleBefore: string): Promise<boolean>;
  markEmailed(reportId: string, emailedAt: string): Promise<void>;
  /** Reports not complete whose due date is on or before `dueOnOrBefore` (access pattern 4, no Scan). */
  listOpen(dueOnOrBefore: IsoDate): Promise<Report[]>;
  /**
   * The same, less those already marked overdue: what the due-date job may still remind or mark.
   * Reports marked overdue before the open index was split may still be among them.
   */
  listPendingDue(dueOnOrBefore: IsoDate): Promise<Report[]>;
  /** How many reports are marked overdue and not complete (counted in the index: no report is loaded). */
  countMarkedOverdue(): Promise<number>;
  /** Every report of a reporting window (performance). */
  listForWindow(windowId: string): Promise<Report[]>;
  /** Marks the reminder sent, once: false if it was already. */
  markReminded(reportId: string, remindedAt: string): Promise<boolean>;
  /** Marks the report overdue, once (it leaves `listPendingDue`): false if it already was (or is complete). */
  markOverdue(reportId: string, since: IsoDate): Promise<boolean>;
  /** Fixes a new list of referrals on the report (ops resent it, rebuilt from the referrals as they stand). */
  setReferrals(reportId: string, referralIds: readonly string[]): Promise<void>;
  /**
   * Records what a returned file left, never going backwards: the file's arrival (`receivedAt`,
   * `problemCount`) only if `fileOrder` is not older than the last recorded; the progress (`status`,
   * `missingReferralIds`) only if no more referrals are missing than recorded, so a report once
   * complete stays complete. Complete clears overdue and leaves the open index.
   */
  recordReturn(reportId: string, result: ReportReturn): Promise<void>;
  /**
   * Claims the ingest of one stored object (`objectId`: its key and version) for a report: `claimed` to
   * go ahead; `done` when it was ingested and its receipt sent (a redelivery of the same S3 event);
   * `in-progress` while another delivery holds a live claim. A claim older than `staleBefore` belongs
   * to a delivery that died and is taken over.
   */
  claimFile(
    reportId: string,
    objectId: string,
    claimedAt: string,
    staleBefore: string,
  ): Promise<'claimed' | 'done' | 'in-progress'>;
  /**
   * The object is ingested and its receipt sent: later deliveries of it are duplicates; and a file with
   * these bytes (`contentHash`) counts as applied to the report from `at` on (the first time is kept).
   */
  completeFile(reportId: string, objectId: string, contentHash: string, at: string): Promise<void>;
  /** When a file with these bytes was first applied to the report, if it was. */
  firstApplied(reportId: string, contentHash: string): Promise<string | undefined>;
  /** Gives up a claim after a failure, so the event's retry can take it at once. */
  releaseFile(reportId: string, objectId: string): Promise<void>;
}
