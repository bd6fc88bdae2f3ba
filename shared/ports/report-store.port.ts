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
  /** True if this exact file (by content hash) was ingested for the report already. */
  hasIngested(reportId: string, fileHash: string): Promise<boolean>;
  markIngested(reportId: string, fileHash: string): Promise<void>;
}
