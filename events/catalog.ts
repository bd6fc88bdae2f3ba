import { LeadContactFailing, LeadContactUnconfirmed } from './contact-events';
import {
  LeadEmailed,
  LeadEmailFailed,
  ReferralCreated,
  ReferralReassigned,
  ReferralRouted,
  ReferralUnroutable,
} from './referral-events';
import { ReportAccepted, ReportBuildRequested, ReportOverdue, ReportReceived, ReportSent } from './report-events';

export { EVENT_SOURCE } from './envelope';
export * from './contact-events';
export * from './referral-events';
export * from './report-events';

/**
 * Every event in the catalog, with the sample file that documents it and doubles as a fixture, and
 * its producers: the one list each function's publish permission is made from (infra/aws). A
 * function running another's use case publishes its events too: admin-api's reassign and resend
 * deliver the lead as routing does, and its report resend sends as report-build does.
 */
export const EVENT_CATALOG = [
  { event: ReferralCreated, sample: 'referral-created.v1.json', producer: 'intake-api, republish-referrals' },
  { event: ReferralRouted, sample: 'referral-routed.v1.json', producer: 'route-referral, ses-feedback, admin-api' },
  { event: ReferralUnroutable, sample: 'referral-unroutable.v1.json', producer: 'route-referral' },
  { event: LeadEmailed, sample: 'lead-emailed.v1.json', producer: 'route-referral, ses-feedback, admin-api' },
  { event: LeadEmailFailed, sample: 'lead-email-failed.v1.json', producer: 'route-referral, ses-feedback, admin-api' },
  { event: ReferralReassigned, sample: 'referral-reassigned.v1.json', producer: 'admin-api, ses-feedback' },
  { event: ReportBuildRequested, sample: 'report-build-requested.v1.json', producer: 'report-send' },
  { event: ReportSent, sample: 'report-sent.v1.json', producer: 'report-build, admin-api' },
  { event: ReportReceived, sample: 'report-received.v1.json', producer: 'report-ingest, mail-intake' },
  { event: ReportAccepted, sample: 'report-accepted.v1.json', producer: 'report-ingest' },
  { event: ReportOverdue, sample: 'report-overdue.v1.json', producer: 'report-due' },
  { event: LeadContactFailing, sample: 'lead-contact-failing.v1.json', producer: 'ses-feedback' },
  { event: LeadContactUnconfirmed, sample: 'lead-contact-unconfirmed.v1.json', producer: 'contact-confirmations' },
] as const;

export type CatalogEvent = (typeof EVENT_CATALOG)[number]['event'];
