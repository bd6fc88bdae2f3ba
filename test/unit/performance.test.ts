import { OrganizationSchema, type Organization } from '../../shared/domain/organization';
import {
  computePerformance,
  NO_OUTCOME_YET,
  RESOLUTION_CATEGORIES,
  shareValue,
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

const W1 = '2017-11-01_2017-11-15';
const W2 = '2017-11-16_2017-11-29';
const windows = loadDefaultReportingCalendar().windowsBetween('2017-11-01', '2017-11-29');

function organization(organizationId: string, name: string): Organization {
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

interface LeadSpec {
  readonly id: string;
  readonly referredAt: string;
  readonly organizationId?: string;
  readonly contactDate?: string;
  readonly resolution?: Resolution | 'Called them';
}

/** A referral as the store holds it, with only what performance reads being meaningful. */
function referral(spec: LeadSpec): Referral {
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

function report(organizationId: string, windowId: string, fields: Partial<Report>): Report {
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

const ALPHA = 'alpha-navigators';
const BRAVO = 'bravo-navigators';
const CHARLIE = 'charlie-navigators';
const DELTA = 'delta-navigators';

const organizations = [
  organization(DELTA, 'Delta Navigators'),
  organization(CHARLIE, 'Charlie Navigators'),
  organization(BRAVO, 'Bravo Navigators'),
  organization(ALPHA, 'Alpha Navigators'),
];

const referrals: Referral[] = [
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

const reports: Report[] = [
  // 17:30 on the due date in Minnesota, already Nov 30 in UTC: on time.
  report(ALPHA, W1, { status: 'complete', lastReceivedAt: '2017-11-29T23:30:00.000Z', referralCount: 5 }),
  // 09:00 the day after the due date: late.
  report(BRAVO, W1, { status: 'complete', lastReceivedAt: '2017-11-30T15:00:00.000Z' }),
  report(ALPHA, W2, { status: 'incomplete', lastReceivedAt: '2017-12-12T15:00:00.000Z', referralCount: 3 }),
  report(DELTA, W2, { status: 'sent' }),
];

function compute(today?: string): Performance {
  return computePerformance({ windows, reports, referrals, organizations, ...(today !== undefined && { today }) });
}

function breakdown(figures: LeadFigures): Partial<Record<ResolutionOrNone, number>> {
  return Object.fromEntries(figures.resolutions.filter((r) => r.leads > 0).map((r) => [r.resolution, r.leads]));
}

function organizationEntry(p: Performance, organizationId: string) {
  const entry = p.organizations.find((o) => o.organizationId === organizationId);
  if (!entry) throw new Error(organizationId);
  return entry;
}

function windowEntry(p: Performance, organizationId: string, windowId: string) {
  const entry = organizationEntry(p, organizationId).windows.find((w) => w.windowId === windowId);
  if (!entry) throw new Error(`${organizationId} ${windowId}`);
  return entry;
}

describe('computePerformance', () => {
  const p = compute('2017-12-14');

  it('lists the windows in date order and the organizations by name', () => {
    // Assess
    expect(p.windows.map((w) => w.id)).toEqual([W1, W2]);
    expect(p.organizations.map((o) => o.organizationName)).toEqual([
      'Alpha Navigators',
      'Bravo Navigators',
      'Charlie Navigators',
      'Delta Navigators',
    ]);
    expect(p.organizations.every((o) => o.windows.map((w) => w.windowId).join() === `${W1},${W2}`)).toBe(true);
  });

  it("counts an organization's leads and shares of them in a window, numerators and denominators kept", () => {
    // Act
    const alphaW1 = windowEntry(p, ALPHA, W1);

    // Assess
    expect(alphaW1.leads).toBe(5);
    expect(alphaW1.shares).toEqual({
      contactedWithinTwoBusinessDays: { numerator: 2, denominator: 5 },
      appointmentScheduled: { numerator: 1, denominator: 5 },
      unableToContact: { numerator: 1, denominator: 5 },
    });
    expect(breakdown(alphaW1)).toEqual({
      'Eligible for MA': 1,
      'Unable to contact': 1,
      'Assisted with technical issue only': 1,
      'Contact made appointment scheduled': 1,
      [NO_OUTCOME_YET]: 1,
    });
  });

  it('breaks leads down by the nine resolutions, spelled as on the report, and "No outcome yet"', () => {
    // Assess
    const alphaW1 = windowEntry(p, ALPHA, W1);
    expect(alphaW1.resolutions.map((r) => r.resolution)).toEqual([
      'Eligible for MA',
      'Eligible for MinnesotaCare',
      'Enrolled in QHP',
      'Eligible for QHP no enrollment',
      'No longer needs assistance',
      'Referred to another certified assister',
      'Unable to contact',
      'Assisted with technical issue only',
      'Contact made appointment scheduled',
      'No outcome yet',
    ]);
    expect(alphaW1.resolutions.reduce((sum, r) => sum + r.leads, 0)).toBe(alphaW1.leads);
  });

  it('counts a contact on the 2nd business day after Thanksgiving in time, and one a day later not', () => {
    // Act
    const alphaW2 = windowEntry(p, ALPHA, W2);

    // Assess: t1 (Tue Nov 28) counts, t2 (Wed Nov 29) does not, t3 has no outcome.
    expect(alphaW2.leads).toBe(3);
    expect(alphaW2.shares?.contactedWithinTwoBusinessDays).toEqual({ numerator: 1, denominator: 3 });
    expect(breakdown(alphaW2)).toEqual({
      'Eligible for MinnesotaCare': 1,
      'Contact made appointment scheduled': 1,
      [NO_OUTCOME_YET]: 1,
    });
  });

  it('puts a referral in the window of its Minnesota date and counts business days from that date', () => {
    // Act
    const bravoW1 = windowEntry(p, BRAVO, W1);

    // Assess
    expect(bravoW1.leads).toBe(1);
    expect(windowEntry(p, BRAVO, W2).leads).toBe(0);
    expect(bravoW1.shares?.contactedWithinTwoBusinessDays).toEqual({ numerator: 0, denominator: 1 });
  });

  it('gives an organization with no leads no shares, rather than 0%', () => {
    // Act
    const charlie = organizationEntry(p, CHARLIE);

    // Assess
    expect(charlie.windows.map((w) => w.leads)).toEqual([0, 0]);
    expect(charlie.windows.map((w) => w.shares)).toEqual([undefined, undefined]);
    expect(charlie.windows.map((w) => w.report)).toEqual([undefined, undefined]);
    expect(charlie.overall.shares).toBeUndefined();
    expect(charlie.overall.resolutions.every((r) => r.leads === 0)).toBe(true);
    expect(windowEntry(p, BRAVO, W2).shares).toBeUndefined();
  });

  it('judges a report on time by the Minnesota date it arrived, late after the due date', () => {
    // Assess
    expect(windowEntry(p, ALPHA, W1).report).toEqual({
      reportId: `${W1}.${ALPHA}`,
      state: 'on-time',
      dueDate: '2017-11-29',
      receivedOn: '2017-11-29',
      overdue: false,
    });
    expect(windowEntry(p, BRAVO, W1).report).toEqual({
      reportId: `${W1}.${BRAVO}`,
      state: 'late',
      dueDate: '2017-11-29',
      receivedOn: '2017-11-30',
      overdue: false,
    });
  });

  it('marks incomplete and unreturned reports overdue only after the due date', () => {
    // Assess: due Dec 13.
    expect(windowEntry(p, ALPHA, W2).report).toMatchObject({
      state: 'incomplete',
      receivedOn: '2017-12-12',
      overdue: true,
    });
    expect(windowEntry(p, DELTA, W2).report).toEqual({
      reportId: `${W2}.${DELTA}`,
      state: 'not-returned',
      dueDate: '2017-12-13',
      overdue: true,
    });
    const onDueDate = compute('2017-12-13');
    expect(windowEntry(onDueDate, DELTA, W2).report?.overdue).toBe(false);
    expect(windowEntry(onDueDate, ALPHA, W2).report?.overdue).toBe(false);
  });

  it("without a date, takes the due-date job's overdue mark", () => {
    // Prepare
    const marked = reports.map((r) => (r.organizationId === DELTA ? { ...r, overdueSince: '2017-12-14' } : r));

    // Act
    const unjudged = computePerformance({ windows, reports: marked, referrals, organizations });

    // Assess
    expect(windowEntry(unjudged, DELTA, W2).report?.overdue).toBe(true);
    expect(windowEntry(unjudged, ALPHA, W2).report?.overdue).toBe(false);
  });

  it("adds up each organization's windows", () => {
    // Act
    const alpha = organizationEntry(p, ALPHA).overall;

    // Assess
    expect(alpha.leads).toBe(8);
    expect(alpha.shares).toEqual({
      contactedWithinTwoBusinessDays: { numerator: 3, denominator: 8 },
      appointmentScheduled: { numerator: 2, denominator: 8 },
      unableToContact: { numerator: 1, denominator: 8 },
    });
    expect(alpha.reports).toEqual({ sent: 2, onTime: 1, late: 0, incomplete: 1, notReturned: 0, overdue: 1 });
  });

  it("gives the whole program's figures for each window and overall", () => {
    // Act
    const [programW1, programW2] = p.program.windows;

    // Assess
    expect(programW1).toMatchObject({
      windowId: W1,
      leads: 6,
      unroutedReferrals: 0,
      shares: {
        contactedWithinTwoBusinessDays: { numerator: 2, denominator: 6 },
        appointmentScheduled: { numerator: 1, denominator: 6 },
        unableToContact: { numerator: 1, denominator: 6 },
      },
      reports: { sent: 2, onTime: 1, late: 1, incomplete: 0, notReturned: 0, overdue: 0 },
    });
    expect(programW2).toMatchObject({
      windowId: W2,
      leads: 4,
      unroutedReferrals: 1,
      shares: {
        contactedWithinTwoBusinessDays: { numerator: 1, denominator: 4 },
        appointmentScheduled: { numerator: 1, denominator: 4 },
        unableToContact: { numerator: 0, denominator: 4 },
      },
      reports: { sent: 2, onTime: 0, late: 0, incomplete: 1, notReturned: 1, overdue: 2 },
    });
    expect(breakdown(programW2 as LeadFigures)).toEqual({
      'Eligible for MinnesotaCare': 1,
      'Contact made appointment scheduled': 1,
      [NO_OUTCOME_YET]: 2,
    });
    expect(p.program.overall).toMatchObject({
      leads: 10,
      unroutedReferrals: 1,
      shares: {
        contactedWithinTwoBusinessDays: { numerator: 3, denominator: 10 },
        appointmentScheduled: { numerator: 2, denominator: 10 },
        unableToContact: { numerator: 1, denominator: 10 },
      },
      reports: { sent: 4, onTime: 1, late: 1, incomplete: 1, notReturned: 1, overdue: 2 },
    });
  });

  it('leaves out referrals outside every window', () => {
    // Assess: o1 (Dec 5) would have made Alpha's "Unable to contact" 2.
    expect(
      organizationEntry(p, ALPHA).overall.resolutions.find((r) => r.resolution === 'Unable to contact')?.leads,
    ).toBe(1);
  });
});

describe('computePerformance edge cases', () => {
  it('lists an organization gone from the directory under its id', () => {
    // Act
    const p = computePerformance({
      windows,
      reports: [],
      referrals: [referral({ id: 'r1', referredAt: '2017-11-06T15:00:00Z', organizationId: 'retired-org' })],
      organizations: [],
    });

    // Assess
    expect(p.organizations).toHaveLength(1);
    expect(p.organizations[0]).toMatchObject({ organizationId: 'retired-org', organizationName: 'retired-org' });
  });

  it('counts an outcome whose resolution is not one of the program\'s as "No outcome yet"', () => {
    // Act
    const p = computePerformance({
      windows,
      reports: [],
      referrals: [
        referral({ id: 'x1', referredAt: '2017-11-06T15:00:00Z', organizationId: ALPHA, resolution: 'Called them' }),
      ],
      organizations,
    });

    // Assess
    expect(breakdown(windowEntry(p, ALPHA, W1))).toEqual({ [NO_OUTCOME_YET]: 1 });
  });

  it('has no shares anywhere when there are no leads at all', () => {
    // Act
    const p = computePerformance({ windows, reports: [], referrals: [], organizations });

    // Assess
    expect(p.program.overall.shares).toBeUndefined();
    expect(p.program.windows.every((w) => w.shares === undefined && w.leads === 0)).toBe(true);
    expect(p.program.overall.resolutions).toHaveLength(RESOLUTION_CATEGORIES.length);
  });

  it('gives a share as a fraction', () => {
    // Assess
    expect(shareValue({ numerator: 1, denominator: 4 })).toBe(0.25);
  });
});
