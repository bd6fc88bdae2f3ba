import {
  addDays,
  compareIsoDates,
  dayOfWeek,
  daysBetween,
  IsoDateSchema,
  minnesotaDateOf,
  startOfMinnesotaDay,
} from '../../shared/domain/minnesota-time';

describe('minnesotaDateOf', () => {
  it.each([
    // Winter (CST, UTC−6): the Minnesota day starts at 06:00 UTC.
    ['2017-11-22T05:59:59.999Z', '2017-11-21'],
    ['2017-11-22T06:00:00.000Z', '2017-11-22'],
    // Summer (CDT, UTC−5): the Minnesota day starts at 05:00 UTC.
    ['2018-06-01T04:59:59.999Z', '2018-05-31'],
    ['2018-06-01T05:00:00.000Z', '2018-06-01'],
    // A year boundary: New Year's Eve evening in Minnesota is already 1 January in UTC.
    ['2018-01-01T05:30:00.000Z', '2017-12-31'],
  ])('gives the Minnesota calendar date at %s as %s', (instant, expected) => {
    // Prepare
    const at = new Date(instant);

    // Act
    const date = minnesotaDateOf(at);

    // Assess
    expect(date).toBe(expected);
  });

  it('refuses an invalid Date instead of returning a bogus day', () => {
    // Prepare
    const invalid = new Date('not a date');

    // Act
    const act = () => minnesotaDateOf(invalid);

    // Assess
    expect(act).toThrow(RangeError);
  });
});

describe('startOfMinnesotaDay', () => {
  it.each([
    ['2017-11-22', '2017-11-22T06:00:00.000Z'], // CST
    ['2018-06-01', '2018-06-01T05:00:00.000Z'], // CDT
    ['2018-03-11', '2018-03-11T06:00:00.000Z'], // DST starts at 02:00 that day; midnight is still CST
    ['2018-03-12', '2018-03-12T05:00:00.000Z'], // first midnight in CDT
    ['2017-11-05', '2017-11-05T05:00:00.000Z'], // DST ends at 02:00 that day; midnight is still CDT
    ['2017-11-06', '2017-11-06T06:00:00.000Z'], // first midnight back in CST
  ])('puts 00:00 in Minnesota on %s at %s', (date, expected) => {
    // Prepare / Act
    const instant = startOfMinnesotaDay(date);

    // Assess
    expect(instant.toISOString()).toBe(expected);
  });

  it('round-trips with minnesotaDateOf on every day of a year, including both DST changes', () => {
    // Prepare
    const mismatches: string[] = [];

    // Act
    for (let date = '2018-01-01'; date <= '2018-12-31'; date = addDays(date, 1)) {
      const start = startOfMinnesotaDay(date);
      const lastMillisecondBefore = new Date(start.getTime() - 1);
      if (minnesotaDateOf(start) !== date || minnesotaDateOf(lastMillisecondBefore) !== addDays(date, -1)) {
        mismatches.push(date);
      }
    }

    // Assess
    expect(mismatches).toEqual([]);
  });

  it('makes the DST days 23 and 25 hours long', () => {
    // Prepare
    const hours = (date: string) =>
      (startOfMinnesotaDay(addDays(date, 1)).getTime() - startOfMinnesotaDay(date).getTime()) / 3_600_000;

    // Act / Assess
    expect(hours('2018-03-11')).toBe(23);
    expect(hours('2017-11-05')).toBe(25);
    expect(hours('2018-06-01')).toBe(24);
  });
});

describe('calendar arithmetic', () => {
  it('adds and subtracts days across month, year and leap-day boundaries', () => {
    // Act / Assess
    expect(addDays('2017-11-29', 7)).toBe('2017-12-06');
    expect(addDays('2017-12-27', 7)).toBe('2018-01-03');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2018-01-03', -7)).toBe('2017-12-27');
    expect(addDays('2018-01-03', 0)).toBe('2018-01-03');
  });

  it('names weekdays with 0 = Sunday', () => {
    // Act / Assess
    expect(dayOfWeek('2017-11-22')).toBe(3); // Wednesday
    expect(dayOfWeek('2017-11-26')).toBe(0); // Sunday
    expect(dayOfWeek('2022-01-01')).toBe(6); // Saturday
    expect(dayOfWeek('1969-12-31')).toBe(3); // before the epoch too
  });

  it('compares dates and counts the days between them', () => {
    // Act / Assess
    expect(compareIsoDates('2017-11-15', '2017-11-16')).toBeLessThan(0);
    expect(compareIsoDates('2017-11-16', '2017-11-16')).toBe(0);
    expect(compareIsoDates('2018-01-01', '2017-12-31')).toBeGreaterThan(0);
    expect(['2018-01-10', '2017-11-01', '2017-12-14'].sort(compareIsoDates)).toEqual([
      '2017-11-01',
      '2017-12-14',
      '2018-01-10',
    ]);
    expect(daysBetween('2017-11-15', '2017-11-22')).toBe(7);
    expect(daysBetween('2017-11-22', '2017-11-15')).toBe(-7);
    expect(daysBetween('2018-03-10', '2018-03-12')).toBe(2); // no DST hour lost in calendar days
  });

  it('refuses malformed or impossible dates rather than shifting a deadline', () => {
    // Act / Assess
    expect(() => addDays('2023-02-29', 1)).toThrow(RangeError);
    expect(() => addDays('2017-11-1', 1)).toThrow(RangeError);
    expect(() => dayOfWeek('')).toThrow(RangeError);
    expect(() => addDays('2017-11-01', 1.5)).toThrow(RangeError);
  });
});

describe('IsoDateSchema', () => {
  it('accepts real calendar dates and refuses the rest with a clear message', () => {
    // Act
    const leapDay = IsoDateSchema.safeParse('2024-02-29');
    const notLeap = IsoDateSchema.safeParse('2023-02-29');
    const usStyle = IsoDateSchema.safeParse('11/22/2017');

    // Assess
    expect(leapDay.success).toBe(true);
    expect(notLeap.success).toBe(false);
    expect(usStyle.success).toBe(false);
    expect(usStyle.error?.issues[0]?.message).toBe('must be a date as YYYY-MM-DD');
  });
});
