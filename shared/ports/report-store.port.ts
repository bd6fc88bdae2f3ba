import type { IsoDate } from '../domain/minnesota-time';
import type { Report } from '../domain/report';

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
  /** Every report of a reporting window (performance). */
  listForWindow(windowId: string): Promise<Report[]>;
  /** Marks the reminder sent, once: false if it was already. */
  markReminded(reportId: string, remindedAt: string): Promise<boolean>;
  /** Marks the report overdue, once: false if it already was (or is complete). */
  markOverdue(reportId: string, since: IsoDate): Promise<boolean>;
  /** Records what a returned sheet left: complete clears overdue and leaves the open index. */
  recordReturn(
    reportId: string,
    result: {
      status: 'complete' | 'incomplete';
      receivedAt: string;
      missingReferralIds: string[];
      problemCount: number;
    },
  ): Promise<void>;
  /**
   * Claims the ingest of one file (by content hash) for a report: `claimed` to go ahead; `done` when it
   * was ingested and its receipt sent (a duplicate); `in-progress` while another delivery holds a live
   * claim. A claim older than `staleBefore` belongs to a delivery that died and is taken over.
   */
  claimFile(
    reportId: string,
    fileHash: string,
    claimedAt: string,
    staleBefore: string,
  ): Promise<'claimed' | 'done' | 'in-progress'>;
  /** The file is ingested and its receipt sent: later deliveries of it are duplicates. */
  completeFile(reportId: string, fileHash: string, at: string): Promise<void>;
  /** Gives up a claim after a failure, so the event's retry can take it at once. */
  releaseFile(reportId: string, fileHash: string): Promise<void>;
}
