import type { IsoDate } from './minnesota-time';
import type { ReportingWindow } from './reporting-calendar';

/**
 * A Preferred Assister Report: the referrals one organization received in one reporting window,
 * sent as a spreadsheet on the window's send date and due back by its due date.
 */
export type ReportStatus = 'sent' | 'incomplete' | 'complete';

export interface Report {
  readonly reportId: string;
  readonly organizationId: string;
  readonly windowId: string;
  readonly windowStart: IsoDate;
  readonly windowEnd: IsoDate;
  readonly sendDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly referralCount: number;
  /**
   * The referrals the sheet was built with, fixed when it is sent: what a return is checked against and
   * what can be missing. Reports sent before this was kept have none (ingest then reads the index).
   */
  readonly referralIds?: readonly string[];
  /** S3 key of the generated sheet (no PII in it). */
  readonly fileKey: string;
  readonly status: ReportStatus;
  readonly createdAt: string;
  readonly emailedAt?: string;
  readonly remindedAt?: string;
  /** Set the day after the due date while the report is not complete; cleared by a complete sheet. */
  readonly overdueSince?: IsoDate;
  readonly lastReceivedAt?: string;
  /** The file order (arrival, then key) of the latest file recorded: an older one never replaces it. */
  readonly lastFileOrder?: string;
  /** What the last returned sheet left to do: referral ids with no valid outcome yet. */
  readonly missingReferralIds?: readonly string[];
  readonly problemCount?: number;
}

/** Deterministic, so the send job run twice for a day finds the report it made the first time. */
export function reportIdFor(windowId: string, organizationId: string): string {
  return `${windowId}.${organizationId}`;
}

export function reportFileKey(window: Pick<ReportingWindow, 'id'>, organizationId: string): string {
  return `reports/${window.id}/${organizationId}.xlsx`;
}

export const REPORT_ID_PATTERN = /^\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.[a-z0-9][a-z0-9-]{1,62}$/;
