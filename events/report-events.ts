import { z } from 'zod';
import { defineEvent } from './envelope';

/* Report events carry report, organization and window ids and counts: never a consumer's details. */

const ReportId = z.string().min(1);
const OrganizationId = z.string().min(1);
const WindowId = z.string().regex(/^\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}$/);
const IsoDate = z.iso.date();

/**
 * One organization's report for one window, to build, store and email: the daily report-send job
 * emits one per report due out, so each is built by its own invocation.
 */
export const ReportBuildRequested = defineEvent(
  'Report Build Requested',
  1,
  z.strictObject({
    reportId: ReportId,
    organizationId: OrganizationId,
    windowId: WindowId,
  }),
);

export const ReportSent = defineEvent(
  'Report Sent',
  1,
  z.strictObject({
    reportId: ReportId,
    organizationId: OrganizationId,
    windowId: WindowId,
    referralCount: z.number().int().positive(),
    dueDate: IsoDate,
  }),
);

export const ReportReceived = defineEvent(
  'Report Received',
  1,
  z.strictObject({
    /** Unknown when the file could not be read far enough to tell (not an .xlsx, a zip bomb…). */
    reportId: ReportId.optional(),
    organizationId: OrganizationId.optional(),
    source: z.enum(['upload', 'email']),
    fileKey: z.string().min(1),
    outcome: z.enum(['ingested', 'refused', 'duplicate']),
    /** Why a file was refused: a rule id such as macros, zip-bomb, not-ours, wrong-sender. */
    refusal: z.string().optional(),
  }),
);

export const ReportAccepted = defineEvent(
  'Report Accepted',
  1,
  z.strictObject({
    reportId: ReportId,
    organizationId: OrganizationId,
    windowId: WindowId,
    fileKey: z.string().min(1),
    acceptedRows: z.number().int().nonnegative(),
    problemRows: z.number().int().nonnegative(),
    missingReferrals: z.number().int().nonnegative(),
    status: z.enum(['complete', 'incomplete']),
    late: z.boolean(),
  }),
);

export const ReportOverdue = defineEvent(
  'Report Overdue',
  1,
  z.strictObject({
    reportId: ReportId,
    organizationId: OrganizationId,
    windowId: WindowId,
    dueDate: IsoDate,
    missingReferrals: z.number().int().nonnegative(),
  }),
);
