import Holidays from 'date-holidays';
import {
  addMinnesotaBusinessDays,
  isMinnesotaBusinessDay,
  minnesotaBusinessDaysAfter,
  minnesotaStateHolidays,
  subtractMinnesotaBusinessDays,
} from '../../shared/domain/business-days';
import { addDays, dayOfWeek } from '../../shared/domain/minnesota-time';

describe('the 2-business-day contact deadline', () => {
  it('gives a referral made the day before Thanksgiving 2017 until Tuesday 2017-11-28', () => {
    // Prepare: Thu 11-23 Thanksgiving and Fri 11-24 are holidays, then the weekend.
    const referredOn = '2017-11-22';

    // Act
    const due = addMinnesotaBusinessDays(referredOn, 2);

    // Assess
    expect(due).toBe('2017-11-28');
  });

  it('counts a contact on the due date as within 2 business days and one a day later as late', () => {
    // Act / Assess
    expect(minnesotaBusinessDaysAfter('2017-11-22', '2017-11-28')).toBe(2);
    expect(minnesotaBusinessDaysAfter('2017-11-22', '2017-11-29')).toBe(3);
    expect(minnesotaBusinessDaysAfter('2017-11-22', '2017-11-27')).toBe(1);
    expect(minnesotaBusinessDaysAfter('2017-11-22', '2017-11-26')).toBe(0);
  });
});

describe('minnesotaStateHolidays (Minn. Stat. 645.44 subd. 5)', () => {
  it.each([
    [
      2017,
      [
        ['2017-01-02', "New Year's Day (observed)"], // Jan 1 was a Sunday
        ['2017-01-16', "Martin Luther King's Birthday"],
        ['2017-02-20', "Washington's and Lincoln's Birthday"],
        ['2017-05-29', 'Memorial Day'],
        ['2017-07-04', 'Independence Day'],
        ['2017-09-04', 'Labor Day'],
        ['2017-10-09', 'Christopher Columbus Day'],
        ['2017-11-10', 'Veterans Day (observed)'], // Nov 11 was a Saturday
        ['2017-11-23', 'Thanksgiving Day'],
        ['2017-11-24', 'Day after Thanksgiving'],
        ['2017-12-25', 'Christmas Day'],
      ],
    ],
    [
      2021,
      [
        ['2021-01-01', "New Year's Day"],
        ['2021-01-18', "Martin Luther King's Birthday"],
        ['2021-02-15', "Washington's and Lincoln's Birthday"],
        ['2021-05-31', 'Memorial Day'],
        ['2021-07-05', 'Independence Day (observed)'], // July 4 was a Sunday
        ['2021-09-06', 'Labor Day'],
        ['2021-10-11', 'Christopher Columbus Day'],
        ['2021-11-11', 'Veterans Day'],
        ['2021-11-25', 'Thanksgiving Day'],
        ['2021-11-26', 'Day after Thanksgiving'],
        ['2021-12-24', 'Christmas Day (observed)'], // Dec 25 was a Saturday
      ],
    ],
    [
      2022,
      [
        ['2021-12-31', "New Year's Day (observed)"], // Jan 1 2022 was a Saturday: observed in the previous year
        ['2022-01-17', "Martin Luther King's Birthday"],
        ['2022-02-21', "Washington's and Lincoln's Birthday"],
        ['2022-05-30', 'Memorial Day'],
        ['2022-07-04', 'Independence Day'],
        ['2022-09-05', 'Labor Day'],
        ['2022-10-10', 'Christopher Columbus Day'],
        ['2022-11-11', 'Veterans Day'],
        ['2022-11-24', 'Thanksgiving Day'],
        ['2022-11-25', 'Day after Thanksgiving'],
        ['2022-12-26', 'Christmas Day (observed)'], // Dec 25 was a Sunday
      ],
    ],
    [
      2023,
      [
        ['2023-01-02', "New Year's Day (observed)"],
        ['2023-01-16', "Martin Luther King's Birthday"],
        ['2023-02-20', "Washington's and Lincoln's Birthday"],
        ['2023-05-29', 'Memorial Day'],
        ['2023-06-19', 'Juneteenth'], // first year as a Minnesota state holiday
        ['2023-07-04', 'Independence Day'],
        ['2023-09-04', 'Labor Day'],
        ['2023-10-09', 'Christopher Columbus Day'],
        ['2023-11-10', 'Veterans Day (observed)'],
        ['2023-11-23', 'Thanksgiving Day'],
        ['2023-11-24', 'Day after Thanksgiving'],
        ['2023-12-25', 'Christmas Day'],
      ],
    ],
  ])('lists the observed holidays of %i', (year, expected) => {
    // Act
    const holidays = minnesotaStateHolidays(year);

    // Assess
    expect(holidays.map((holiday) => [holiday.date, holiday.name])).toEqual(expected);
  });

  it('observes Juneteenth on the nearest weekday from 2023 on, but not before', () => {
    // Act / Assess
    expect(isMinnesotaBusinessDay('2022-06-20')).toBe(true); // Sunday Juneteenth 2022: not yet a state holiday
    expect(isMinnesotaBusinessDay('2023-06-19')).toBe(false);
    expect(isMinnesotaBusinessDay('2027-06-18')).toBe(false); // June 19 2027 is a Saturday
  });

  it('only ever places an observed holiday on a weekday', () => {
    // Prepare
    const weekendHolidays: string[] = [];

    // Act
    for (let year = 2000; year <= 2100; year += 1) {
      for (const holiday of minnesotaStateHolidays(year)) {
        if (dayOfWeek(holiday.date) === 0 || dayOfWeek(holiday.date) === 6) {
          weekendHolidays.push(holiday.date);
        }
      }
    }

    // Assess
    expect(weekendHolidays).toEqual([]);
  });
});

describe('isMinnesotaBusinessDay', () => {
  it('closes on weekends and observed holidays, including New Year observed in the previous December', () => {
    // Act / Assess
    expect(isMinnesotaBusinessDay('2017-11-22')).toBe(true);
    expect(isMinnesotaBusinessDay('2017-11-24')).toBe(false); // day after Thanksgiving
    expect(isMinnesotaBusinessDay('2017-11-25')).toBe(false); // Saturday
    expect(isMinnesotaBusinessDay('2017-11-26')).toBe(false); // Sunday
    expect(isMinnesotaBusinessDay('2021-12-24')).toBe(false); // Christmas 2021 observed
    expect(isMinnesotaBusinessDay('2021-12-31')).toBe(false); // New Year's Day 2022 observed
    expect(isMinnesotaBusinessDay('2021-12-30')).toBe(true);
    expect(isMinnesotaBusinessDay('2022-01-03')).toBe(true);
  });
});

describe('cross-check against date-holidays (US, MN, type public), 2017–2030', () => {
  // Weekdays on which the two disagree, each checked against 645.44 subd. 5:
  //  - The day after Thanksgiving is a state holiday by statute; date-holidays types it only as an 'observance'.
  //  - Veterans Day on a Saturday/Sunday: the statute moves it to Friday/Monday; date-holidays keeps only Nov 11.
  //  - Juneteenth 2021 and 2022: a federal holiday from 2021, but a Minnesota state holiday only from 2023, so the
  //    federal substitute days (Fri 2021-06-18, Mon 2022-06-20) are Minnesota business days.
  const documentedDifferences: Record<string, 'state holiday only' | 'date-holidays only'> = {
    '2017-11-10': 'state holiday only', // Veterans Day observed (Sat Nov 11)
    '2017-11-24': 'state holiday only', // day after Thanksgiving
    '2018-11-12': 'state holiday only', // Veterans Day observed (Sun Nov 11)
    '2018-11-23': 'state holiday only',
    '2019-11-29': 'state holiday only',
    '2020-11-27': 'state holiday only',
    '2021-06-18': 'date-holidays only', // federal Juneteenth substitute
    '2021-11-26': 'state holiday only',
    '2022-06-20': 'date-holidays only', // federal Juneteenth substitute
    '2022-11-25': 'state holiday only',
    '2023-11-10': 'state holiday only', // Veterans Day observed (Sat Nov 11)
    '2023-11-24': 'state holiday only',
    '2024-11-29': 'state holiday only',
    '2025-11-28': 'state holiday only',
    '2026-11-27': 'state holiday only',
    '2027-11-26': 'state holiday only',
    '2028-11-10': 'state holiday only', // Veterans Day observed (Sat Nov 11)
    '2028-11-24': 'state holiday only',
    '2029-11-12': 'state holiday only', // Veterans Day observed (Sun Nov 11)
    '2029-11-23': 'state holiday only',
    '2030-11-29': 'state holiday only',
  };

  function publicHolidayDates(): Map<string, string> {
    const holidays = new Holidays('US', 'MN');
    const dates = new Map<string, string>();
    // One year either side: date-holidays files a substitute New Year's Day under the year it falls in.
    for (let year = 2016; year <= 2031; year += 1) {
      for (const holiday of holidays.getHolidays(year)) {
        if (holiday.type === 'public') {
          dates.set(holiday.date.slice(0, 10), holiday.name);
        }
      }
    }
    return dates;
  }

  it('agrees on every weekday except the documented differences', () => {
    // Prepare
    const theirs = publicHolidayDates();
    const differences: Record<string, string> = {};

    // Act
    for (let date = '2017-01-01'; date <= '2030-12-31'; date = addDays(date, 1)) {
      const weekday = dayOfWeek(date);
      if (weekday === 0 || weekday === 6) {
        continue;
      }
      const ourHoliday = !isMinnesotaBusinessDay(date);
      const theirHoliday = theirs.has(date);
      if (ourHoliday !== theirHoliday) {
        differences[date] = ourHoliday ? 'state holiday only' : 'date-holidays only';
      }
    }

    // Assess
    expect(differences).toEqual(documentedDifferences);
  });

  it('confirms date-holidays types the day after Thanksgiving as an observance, not a public holiday', () => {
    // Prepare
    const holidays = new Holidays('US', 'MN');

    // Act
    const dayAfter = holidays.getHolidays(2017).filter((holiday) => holiday.date.startsWith('2017-11-24'));

    // Assess
    expect(dayAfter.map((holiday) => holiday.type)).toEqual(['observance']);
  });
});

describe('addMinnesotaBusinessDays / subtractMinnesotaBusinessDays', () => {
  it('returns the date unchanged for n = 0, even on a weekend', () => {
    // Act / Assess
    expect(addMinnesotaBusinessDays('2017-11-25', 0)).toBe('2017-11-25');
    expect(subtractMinnesotaBusinessDays('2017-11-25', 0)).toBe('2017-11-25');
  });

  it('starts counting on the next business day when the referral arrives on a weekend', () => {
    // Act / Assess
    expect(addMinnesotaBusinessDays('2017-11-25', 1)).toBe('2017-11-27');
    expect(addMinnesotaBusinessDays('2017-11-25', 2)).toBe('2017-11-28');
  });

  it('skips New Year observed in the previous December', () => {
    // Act / Assess
    expect(addMinnesotaBusinessDays('2021-12-30', 1)).toBe('2022-01-03');
    expect(subtractMinnesotaBusinessDays('2022-01-03', 1)).toBe('2021-12-30');
  });

  it('finds the reminder day two business days before a due date', () => {
    // Act / Assess
    expect(subtractMinnesotaBusinessDays('2017-11-29', 2)).toBe('2017-11-27'); // Wed due → Mon reminder
    expect(subtractMinnesotaBusinessDays('2017-11-28', 2)).toBe('2017-11-22'); // over Thanksgiving and the weekend
    expect(subtractMinnesotaBusinessDays('2018-01-03', 2)).toBe('2017-12-29'); // over New Year's Day
  });

  it('refuses negative or fractional counts', () => {
    // Act / Assess
    expect(() => addMinnesotaBusinessDays('2017-11-22', -1)).toThrow(RangeError);
    expect(() => subtractMinnesotaBusinessDays('2017-11-22', 1.5)).toThrow(RangeError);
  });

  it('is undone by the other direction and by counting, from every day of 2017–2023', () => {
    // Prepare
    const failures: string[] = [];

    // Act
    for (let date = '2017-01-01'; date <= '2023-12-31'; date = addDays(date, 1)) {
      for (const n of [1, 2, 10]) {
        const later = addMinnesotaBusinessDays(date, n);
        const counted = minnesotaBusinessDaysAfter(date, later);
        const back = subtractMinnesotaBusinessDays(later, n);
        // Going back lands on date itself when it is a business day, else on the business day before it.
        const expectedBack = isMinnesotaBusinessDay(date) ? date : subtractMinnesotaBusinessDays(date, 1);
        if (counted !== n || !isMinnesotaBusinessDay(later) || back !== expectedBack) {
          failures.push(`${date} + ${n}`);
        }
      }
    }

    // Assess
    expect(failures).toEqual([]);
  });
});

describe('minnesotaBusinessDaysAfter', () => {
  it('is 0 when the second date is not after the first', () => {
    // Act / Assess
    expect(minnesotaBusinessDaysAfter('2017-11-22', '2017-11-22')).toBe(0);
    expect(minnesotaBusinessDaysAfter('2017-11-28', '2017-11-22')).toBe(0);
  });

  it('agrees with a day-by-day count over long spans and year boundaries', () => {
    // Prepare
    const naive = (from: string, to: string): number => {
      let count = 0;
      for (let date = addDays(from, 1); date <= to; date = addDays(date, 1)) {
        count += isMinnesotaBusinessDay(date) ? 1 : 0;
      }
      return count;
    };
    const spans: Array<[string, string]> = [
      ['2017-11-01', '2018-01-24'],
      ['2021-12-23', '2022-01-03'],
      ['2016-12-30', '2030-12-31'],
      ['2022-12-31', '2023-01-02'],
    ];

    // Act / Assess
    for (const [from, to] of spans) {
      expect(minnesotaBusinessDaysAfter(from, to)).toBe(naive(from, to));
    }
    expect(minnesotaBusinessDaysAfter('2021-12-30', '2022-01-03')).toBe(1);
  });
});
