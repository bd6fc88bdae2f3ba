import { checkOutcome, RESOLUTIONS, UNREADABLE } from '../../shared/domain/outcome';

/*
 * The outcome rules on typed answers, as any way of reporting an outcome (the returned sheet today, an online form
 * later) hands them over. The sheet's own cell reading is tested in report-rows.test.ts.
 */

const context = { referredOn: '2017-11-22', today: '2017-12-01' };

describe('checkOutcome', () => {
  it('accepts a complete outcome, reading a typed date and a resolution whatever its case and spacing', () => {
    const checked = checkOutcome(
      { contactMade: true, contactDate: '11/24/2017', resolution: ' enrolled  in qhp ', comments: ' Called twice ' },
      context,
    );
    expect(checked).toEqual({
      ok: true,
      outcome: {
        contactMade: true,
        contactDate: '2017-11-24',
        resolution: 'Enrolled in QHP',
        comments: 'Called twice',
      },
    });
  });

  it('names the field and the rule of every problem, at most one per field', () => {
    const checked = checkOutcome(
      { contactMade: false, contactDate: '2017-11-24', resolution: 'Enrolled in QHP', comments: 'x'.repeat(501) },
      context,
    );
    expect(!checked.ok && checked.issues.map(({ field, rule }) => ({ field, rule }))).toEqual([
      { field: 'contactDate', rule: 'contact-date-without-contact' },
      { field: 'resolution', rule: 'resolution-needs-contact' },
      { field: 'comments', rule: 'comments-too-long' },
    ]);
  });

  it.each([
    [{}, ['contact-made-required', 'resolution-required']],
    [{ contactMade: true, resolution: 'Unable to contact' }, ['contact-date-required']],
    [{ contactMade: true, contactDate: '2017-11-21', resolution: RESOLUTIONS[0] }, ['contact-date-before-referral']],
    [{ contactMade: true, contactDate: '2017-12-02', resolution: RESOLUTIONS[0] }, ['contact-date-in-future']],
    [{ contactMade: true, contactDate: '24/11/2017', resolution: RESOLUTIONS[0] }, ['contact-date-invalid']],
    [{ contactMade: true, contactDate: '2017-11-24', resolution: 'Enrolled' }, ['resolution-unknown']],
  ])('refuses %j with %j', (answers, rules) => {
    const checked = checkOutcome(answers, context);
    expect(checked.ok ? [] : checked.issues.map((issue) => issue.rule)).toEqual(rules);
  });

  it('says what a day-first date would be', () => {
    const checked = checkOutcome({ contactMade: true, contactDate: '24/11/2017', resolution: RESOLUTIONS[0] }, context);
    expect(!checked.ok && checked.issues[0]?.message).toBe(
      "'24/11/2017' is not a date: dates are month/day/year, so did you mean 11/24/2017?",
    );
  });

  it('judges nothing about a field the caller could not read, and does not call it empty', () => {
    const checked = checkOutcome({ contactMade: UNREADABLE, contactDate: UNREADABLE, resolution: UNREADABLE }, context);
    expect(checked).toEqual({ ok: false, issues: [] });
  });
});
