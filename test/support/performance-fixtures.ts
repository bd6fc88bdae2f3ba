import { OrganizationSchema, type Organization } from '../../shared/domain/organization';
import {
  computePerformance,
  type LeadFigures,
  type Performance,
  type ResolutionOrNone,
} from '../../shared/domain/performance';
import type { Referral } from '../../shared/domain/referral';
import type { Report } from '../../shared/domain/report';
import type { Resolution } from '../../shared/domain/outcome';
import { loadDefaultReportingCalendar } from '../../shared/domain/reporting-calendar';

/*
 * A fixture with known answers over the first two OE5 windows (the calendar in config):
 *   W1 Nov 1–15, 2017, due Nov 29; W2 Nov 16–29, due Dec 13.
 * Times are UTC; Minnesota is UTC−6 in November (CST).
 */

export const W1 = '2017-11-01_2017-11-15';
export const W2 = '2017-11-16_2017-11-29';
export const windows = loadDefaultReportingCalendar().windowsBetween('2017-11-01', '2017-11-29');

export function organization(organizationId: string, name: string): Organization {
  return OrganizationSchema.parse({
    organizationId,
    name,
    type: 'navigator',
    leadEmail: `leads@${organizationId}.example.org`,
    coverage: { kind: 'counties', counties: ['27053'] },
    languages: ['en'],
    status: { state: 'active' },
  });
}

export interface LeadSpec {
  readonly id: string;
  readonly referredAt: string;
  readonly organizationId?: string;
  readonly contactDate?: string;
  readonly resolution?: Resolution | 'Called them';
}

/** A referral as the store holds it, with only what performance reads being meaningful. */
export function referral(spec: LeadSpec): Referral {
  return {
    referralId: `ref_${spec.id}`,
    crmReferralId: `crm-${spec.id}`,
    requestFingerprint: 'fingerprint',
    receivedAt: spec.referredAt,
    referredAt: spec.referredAt,
    representativeId: 'rep-1',
    consumer: {
      firstName: 'Test',
      lastName: 'Consumer',
      phone: '+16125550100',
      preferredContactMethod: 'phone',
      countyFips: '27053',
      countyName: 'Hennepin',
    },
    case: {
      hasActiveAccount: true,
      hasActiveApplication: false,
      determinations: [],
      helpReason: { category: 'new-application', details: 'Needs help applying' },
      guidanceGiven: 'Referred to an assister',
    },
    consentToShare: true,
    assisterType: 'navigator',
    assisterTypeRule: 'no-application',
    status: spec.organizationId ? 'emailed' : 'unroutable',
    routing: spec.organizationId
      ? {
          outcome: 'routed',
          organizationId: spec.organizationId,
          reason: 'county',
          explanation: 'Serves the county',
          candidates: [],
          decidedAt: spec.referredAt,
        }
      : {
          outcome: 'unroutable',
          reason: 'no-eligible-organization',
          explanation: 'No organization serves the county',
          candidates: [],
          decidedAt: spec.referredAt,
        },
    ...(spec.resolution !== undefined && {
      outcome: {
        contactMade: spec.contactDate !== undefined,
        ...(spec.contactDate !== undefined && { contactDate: spec.contactDate }),
        resolution: spec.resolution,
        reportId: 'report',
        fileKey: 'inbound/file.xlsx',
        fileReceivedAt: '2017-11-28T15:00:00.000Z',
        fileOrder: '2017-11-28T15:00:00.000Z inbound/file.xlsx',
        recordedAt: '2017-11-28T15:00:00.000Z',
      },
    }),
  };
}

export function report(organizationId: string, windowId: string, fields: Partial<Report>): Report {
  const window = windows.find((w) => w.id === windowId);
  if (!window) throw new Error(windowId);
  return {
    reportId: `${windowId}.${organizationId}`,
    organizationId,
    windowId,
    windowStart: window.start,
    windowEnd: window.end,
    sendDate: window.sendDate,
    dueDate: window.dueDate,
    referralCount: 1,
    fileKey: `reports/${windowId}/${organizationId}.xlsx`,
    status: 'sent',
    createdAt: `${window.sendDate}T13:00:00.000Z`,
    ...fields,
  };
}

export const ALPHA = 'alpha-navigators';
export const BRAVO = 'bravo-navigators';
export const CHARLIE = 'charlie-navigators';
export const DELTA = 'delta-navigators';

export const organizations = [
  organization(DELTA, 'Delta Navigators'),
  organization(CHARLIE, 'Charlie Navigators'),
  organization(BRAVO, 'Bravo Navigators'),
  organization(ALPHA, 'Alpha Navigators'),
];

export const referrals: Referral[] = [
  // W1, Alpha: five leads.
  // Mon Nov 6 → Wed Nov 8: 2 business days, in time.
  referral({
    id: 'a1',
    referredAt: '2017-11-06T15:00:00Z',
    organizationId: ALPHA,
    contactDate: '2017-11-08',
    resolution: 'Contact made appointment scheduled',
  }),
  // Mon Nov 6 → Thu Nov 9: 3 business days, late.
  referral({
    id: 'a2',
    referredAt: '2017-11-06T15:00:00Z',
    organizationId: ALPHA,
    contactDate: '2017-11-09',
    resolution: 'Eligible for MA',
  }),
  referral({ id: 'a3', referredAt: '2017-11-07T15:00:00Z', organizationId: ALPHA, resolution: 'Unable to contact' }),
  referral({ id: 'a4', referredAt: '2017-11-08T15:00:00Z', organizationId: ALPHA }),
  // Thu Nov 9 → Mon Nov 13: Veterans Day (Sat Nov 11) is observed Fri Nov 10, so Monday is the first business day.
  referral({
    id: 'a5',
    referredAt: '2017-11-09T15:00:00Z',
    organizationId: ALPHA,
    contactDate: '2017-11-13',
    resolution: 'Assisted with technical issue only',
  }),
  // W1, Bravo: 21:00 on Wed Nov 15 in Minnesota, already Nov 16 in UTC. It belongs to W1, and Mon Nov 20 is the
  // 3rd business day after Nov 15 (it would be the 2nd after Nov 16): not in time.
  referral({
    id: 'b1',
    referredAt: '2017-11-16T03:00:00Z',
    organizationId: BRAVO,
    contactDate: '2017-11-20',
    resolution: 'Eligible for QHP no enrollment',
  }),
  // W2, Alpha: the day before Thanksgiving. Thu 23 and Fri 24 are holidays, so Tue 28 is the 2nd business day.
  referral({
    id: 't1',
    referredAt: '2017-11-22T16:00:00Z',
    organizationId: ALPHA,
    contactDate: '2017-11-28',
    resolution: 'Contact made appointment scheduled',
  }),
  referral({
    id: 't2',
    referredAt: '2017-11-22T16:00:00Z',
    organizationId: ALPHA,
    contactDate: '2017-11-29',
    resolution: 'Eligible for MinnesotaCare',
  }),
  referral({ id: 't3', referredAt: '2017-11-27T16:00:00Z', organizationId: ALPHA }),
  // W2, Delta: no outcome yet.
  referral({ id: 'd1', referredAt: '2017-11-28T16:00:00Z', organizationId: DELTA }),
  // W2: unroutable, no organization's lead.
  referral({ id: 'u1', referredAt: '2017-11-20T16:00:00Z' }),
  // Outside both windows: left out.
  referral({ id: 'o1', referredAt: '2017-12-05T16:00:00Z', organizationId: ALPHA, resolution: 'Unable to contact' }),
];

export const reports: Report[] = [
  // 17:30 on the due date in Minnesota, already Nov 30 in UTC: on time.
  report(ALPHA, W1, { status: 'complete', lastReceivedAt: '2017-11-29T23:30:00.000Z', referralCount: 5 }),
  // 09:00 the day after the due date: late.
  report(BRAVO, W1, { status: 'complete', lastReceivedAt: '2017-11-30T15:00:00.000Z' }),
  report(ALPHA, W2, { status: 'incomplete', lastReceivedAt: '2017-12-12T15:00:00.000Z', referralCount: 3 }),
  report(DELTA, W2, { status: 'sent' }),
];

export function compute(today?: string): Performance {
  return computePerformance({ windows, reports, referrals, organizations, ...(today !== undefined && { today }) });
}

export function breakdown(figures: LeadFigures): Partial<Record<ResolutionOrNone, number>> {
  return Object.fromEntries(figures.resolutions.filter((r) => r.leads > 0).map((r) => [r.resolution, r.leads]));
}

export function organizationEntry(p: Performance, organizationId: string) {
  const entry = p.organizations.find((o) => o.organizationId === organizationId);
  if (!entry) throw new Error(organizationId);
  return entry;
}

export function windowEntry(p: Performance, organizationId: string, windowId: string) {
  const entry = organizationEntry(p, organizationId).windows.find((w) => w.windowId === windowId);
  if (!entry) throw new Error(`${organizationId} ${windowId}`);
  return entry;
}
