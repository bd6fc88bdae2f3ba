import {
  computePerformance,
  NO_OUTCOME_YET,
  RESOLUTION_CATEGORIES,
  shareValue,
  type LeadFigures,
} from '../../shared/domain/performance';
import {
  W1,
  W2,
  windows,
  referral,
  ALPHA,
  BRAVO,
  CHARLIE,
  DELTA,
  organizations,
  referrals,
  reports,
  compute,
  breakdown,
  organizationEntry,
  windowEntry,
} from '../support/performance-fixtures';

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
