import calendarJson from '../../config/reporting-calendar.json';
import {
  loadDefaultReportingCalendar,
  MAX_WINDOWS_PER_QUERY,
  ReportingCalendar,
  ReportingCalendarConfigSchema,
} from '../../shared/domain/reporting-calendar';
import { addDays, daysBetween } from '../../shared/domain/minnesota-time';

const OE5_RULE = {
  name: 'OE5',
  rule: {
    firstWindow: { start: '2017-11-01', end: '2017-11-15' },
    cadenceDays: 14,
    sendLagDays: 7,
    dueLagDays: 7,
    windowCount: 5,
  },
};

/** The message fromConfig throws for a config, or a marker when it accepts it. */
function configError(config: unknown): string {
  try {
    ReportingCalendar.fromConfig(config);
    return '(accepted)';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe('the OE5 calendar in config/reporting-calendar.json', () => {
  const calendar = loadDefaultReportingCalendar();

  it('reproduces the five OE5 windows with their send and due dates exactly', () => {
    // Act
    const windows = calendar.windowsBetween('2017-11-01', '2018-01-24');

    // Assess
    expect(windows.map((w) => [w.id, w.season, w.start, w.end, w.sendDate, w.dueDate])).toEqual([
      ['2017-11-01_2017-11-15', 'OE5', '2017-11-01', '2017-11-15', '2017-11-22', '2017-11-29'],
      ['2017-11-16_2017-11-29', 'OE5', '2017-11-16', '2017-11-29', '2017-12-06', '2017-12-13'],
      ['2017-11-30_2017-12-13', 'OE5', '2017-11-30', '2017-12-13', '2017-12-20', '2017-12-27'],
      ['2017-12-14_2017-12-27', 'OE5', '2017-12-14', '2017-12-27', '2018-01-03', '2018-01-10'],
      ['2017-12-28_2018-01-10', 'OE5', '2017-12-28', '2018-01-10', '2018-01-17', '2018-01-24'],
    ]);
  });

  it.each([
    ['2017-10-31', undefined],
    ['2017-11-01', '2017-11-01_2017-11-15'],
    ['2017-11-15', '2017-11-01_2017-11-15'],
    ['2017-11-16', '2017-11-16_2017-11-29'],
    ['2017-11-29', '2017-11-16_2017-11-29'],
    ['2017-11-30', '2017-11-30_2017-12-13'],
    ['2017-12-31', '2017-12-28_2018-01-10'],
    ['2018-01-10', '2017-12-28_2018-01-10'],
    ['2018-01-11', undefined], // OE5 had five windows only
    ['2026-10-31', undefined],
    ['2026-11-01', '2026-11-01_2026-11-15'],
  ])('puts a referral made on %s in window %s', (date, expectedId) => {
    // Act
    const window = calendar.windowContaining(date);

    // Assess
    expect(window?.id).toBe(expectedId);
  });

  it('sends only the first OE5 window on 2017-11-22', () => {
    // Act
    const sending = calendar.windowsSendingOn('2017-11-22');

    // Assess
    expect(sending.map((w) => w.id)).toEqual(['2017-11-01_2017-11-15']);
    expect(calendar.windowsSendingOn('2017-11-21')).toEqual([]);
    expect(calendar.windowsSendingOn('2017-11-29')).toEqual([]);
    expect(calendar.windowsSendingOn('2018-01-31')).toEqual([]); // no sixth OE5 window
  });

  it('finds the windows due back on a date', () => {
    // Act / Assess
    expect(calendar.windowsDueOn('2017-11-29').map((w) => w.id)).toEqual(['2017-11-01_2017-11-15']);
    expect(calendar.windowsDueOn('2018-01-24').map((w) => w.id)).toEqual(['2017-12-28_2018-01-10']);
    expect(calendar.windowsDueOn('2017-11-22')).toEqual([]);
  });

  it('looks windows up by their id and refuses ids that are not windows', () => {
    // Act / Assess
    expect(calendar.windowById('2017-11-16_2017-11-29')?.sendDate).toBe('2017-12-06');
    expect(calendar.windowById('2017-11-16_2017-11-30')).toBeUndefined();
    expect(calendar.windowById('2017-11-17_2017-11-29')).toBeUndefined();
    expect(calendar.windowById('2017-02-30_2017-03-01')).toBeUndefined();
    expect(calendar.windowById('not-an-id')).toBeUndefined();
  });

  it('is the same configuration the file holds, and the schema accepts the file', () => {
    // Act
    const parsed = ReportingCalendarConfigSchema.safeParse(calendarJson);

    // Assess
    expect(parsed.success).toBe(true);
    expect(loadDefaultReportingCalendar()).toBe(calendar); // parsed once
  });
});

describe('the open-ended current season', () => {
  const calendar = loadDefaultReportingCalendar();

  it('covers referrals made on 2026-11-27', () => {
    // Act
    const window = calendar.windowContaining('2026-11-27');

    // Assess
    expect(window).toEqual({
      id: '2026-11-16_2026-11-29',
      season: 'OE14 onward',
      start: '2026-11-16',
      end: '2026-11-29',
      sendDate: '2026-12-06',
      dueDate: '2026-12-13',
    });
  });

  it('lists the windows of a date range, in order', () => {
    // Act
    const windows = calendar.windowsBetween('2026-11-10', '2027-01-01');

    // Assess
    expect(windows.map((w) => w.id)).toEqual([
      '2026-11-01_2026-11-15',
      '2026-11-16_2026-11-29',
      '2026-11-30_2026-12-13',
      '2026-12-14_2026-12-27',
      '2026-12-28_2027-01-10',
    ]);
  });

  it('answers far-future dates at once, with contiguous 14-day windows', () => {
    // Prepare
    const dates = Array.from({ length: 2000 }, (_, i) => addDays('2999-01-01', i * 37));
    const started = Date.now();

    // Act
    const found = dates.map((date) => ({ date, window: calendar.windowContaining(date) }));
    const elapsedMs = Date.now() - started;

    // Assess
    for (const { date, window } of found) {
      expect(window).toBeDefined();
      expect(window && window.start <= date && date <= window.end).toBe(true);
      expect(window && daysBetween(window.start, window.end)).toBe(13);
      expect(window && calendar.windowContaining(addDays(window.end, 1))?.start).toBe(window && addDays(window.end, 1));
    }
    const farWindow = calendar.windowContaining('3999-12-31');
    expect(farWindow && calendar.windowsSendingOn(farWindow.sendDate)).toEqual([farWindow]);
    expect(farWindow && calendar.windowsDueOn(farWindow.dueDate)).toEqual([farWindow]);
    expect(elapsedMs).toBeLessThan(2000);
  });

  it('refuses a range that would list more windows than a caller could mean, rather than truncating', () => {
    // Act
    const act = () => calendar.windowsBetween('2026-11-01', '9999-12-31');

    // Assess
    expect(act).toThrow(new RegExp(`more than ${MAX_WINDOWS_PER_QUERY} windows`));
    expect(calendar.windowsBetween('2027-01-01', '2026-12-01')).toEqual([]);
  });
});

describe('an explicit-list season', () => {
  const calendar = ReportingCalendar.fromConfig({
    seasons: [
      {
        name: 'OE4',
        windows: [
          // Listed out of order on purpose: the calendar sorts them.
          { start: '2016-11-16', end: '2016-11-30', sendDate: '2016-12-07', dueDate: '2016-12-16' },
          { start: '2016-11-01', end: '2016-11-15', sendDate: '2016-11-23', dueDate: '2016-11-30' },
        ],
      },
      OE5_RULE,
    ],
  });

  it('uses the listed dates as they are', () => {
    // Act
    const window = calendar.windowContaining('2016-11-20');

    // Assess
    expect(window).toEqual({
      id: '2016-11-16_2016-11-30',
      season: 'OE4',
      start: '2016-11-16',
      end: '2016-11-30',
      sendDate: '2016-12-07',
      dueDate: '2016-12-16',
    });
  });

  it('answers send, due, id and range questions across both seasons', () => {
    // Act / Assess
    expect(calendar.windowsSendingOn('2016-11-23').map((w) => w.id)).toEqual(['2016-11-01_2016-11-15']);
    expect(calendar.windowsDueOn('2016-12-16').map((w) => w.id)).toEqual(['2016-11-16_2016-11-30']);
    expect(calendar.windowById('2016-11-01_2016-11-15')?.season).toBe('OE4');
    expect(calendar.windowContaining('2016-12-01')).toBeUndefined();
    expect(calendar.windowsBetween('2016-11-15', '2017-11-01').map((w) => w.id)).toEqual([
      '2016-11-01_2016-11-15',
      '2016-11-16_2016-11-30',
      '2017-11-01_2017-11-15',
    ]);
  });
});

describe('invalid calendar configurations', () => {
  const window = { start: '2017-11-01', end: '2017-11-15', sendDate: '2017-11-22', dueDate: '2017-11-29' };

  it.each([
    [
      'a window that overlaps another season',
      { seasons: [OE5_RULE, { name: 'Extra', windows: [{ ...window, start: '2018-01-10', end: '2018-01-20' }] }] },
      'seasons.1.windows.0.start: window 2018-01-10..2018-01-20 of season "Extra" overlaps season "OE5" (windows 2017-11-01..2018-01-10)',
    ],
    [
      'windows that overlap within a season',
      { seasons: [{ name: 'S', windows: [window, { ...window, start: '2017-11-15', end: '2017-11-20' }] }] },
      'seasons.0.windows.1.start: window 2017-11-15..2017-11-20 of season "S" overlaps window 2017-11-01..2017-11-15 of season "S"',
    ],
    [
      'a season after an open-ended one',
      {
        seasons: [
          { name: 'Open', rule: { ...OE5_RULE.rule, windowCount: undefined } },
          { name: 'Later', windows: [{ ...window, start: '2030-01-01', end: '2030-01-14' }] },
        ],
      },
      'seasons.0.rule.windowCount: is required unless this is the last season',
    ],
    [
      'a due date before the send date',
      { seasons: [{ name: 'S', windows: [{ ...window, dueDate: '2017-11-21' }] }] },
      'seasons.0.windows.0.dueDate: must be after sendDate (2017-11-22)',
    ],
    [
      'a send date on the window end',
      { seasons: [{ name: 'S', windows: [{ ...window, sendDate: '2017-11-15' }] }] },
      'seasons.0.windows.0.sendDate: must be after end (2017-11-15)',
    ],
    [
      'a window ending before it starts',
      {
        seasons: [{ ...OE5_RULE, rule: { ...OE5_RULE.rule, firstWindow: { start: '2017-11-15', end: '2017-11-01' } } }],
      },
      'seasons.0.rule.firstWindow.end: must be on or after start (2017-11-15)',
    ],
    [
      'an unknown key in a rule',
      { seasons: [{ ...OE5_RULE, rule: { ...OE5_RULE.rule, cadenceDay: 14 } }] },
      'seasons.0.rule: Unrecognized key: "cadenceDay"',
    ],
    [
      'an unknown key at the top',
      { seasons: [OE5_RULE], timezone: 'America/Chicago' },
      '(root): Unrecognized key: "timezone"',
    ],
    [
      'a date not written as YYYY-MM-DD',
      { seasons: [{ name: 'S', windows: [{ ...window, sendDate: '11/22/2017' }] }] },
      'seasons.0.windows.0.sendDate: must be a date as YYYY-MM-DD',
    ],
    [
      'a cadence of zero days',
      { seasons: [{ ...OE5_RULE, rule: { ...OE5_RULE.rule, cadenceDays: 0 } }] },
      'seasons.0.rule.cadenceDays: must be at least 1',
    ],
    [
      'a fractional lag',
      { seasons: [{ ...OE5_RULE, rule: { ...OE5_RULE.rule, dueLagDays: 1.5 } }] },
      'seasons.0.rule.dueLagDays: must be a whole number of days',
    ],
    [
      'a season with both a rule and windows',
      { seasons: [{ ...OE5_RULE, windows: [window] }] },
      'seasons.0: must have exactly one of "rule" or "windows"',
    ],
    [
      'a season with neither',
      { seasons: [{ name: 'Empty' }] },
      'seasons.0: must have exactly one of "rule" or "windows"',
    ],
    [
      'two seasons with the same name',
      {
        seasons: [
          OE5_RULE,
          {
            name: 'OE5',
            windows: [
              { ...window, start: '2019-01-01', end: '2019-01-14', sendDate: '2019-01-21', dueDate: '2019-01-28' },
            ],
          },
        ],
      },
      'seasons.1.name: duplicates the name of seasons.0 ("OE5")',
    ],
    [
      'a missing due lag',
      { seasons: [{ ...OE5_RULE, rule: { ...OE5_RULE.rule, dueLagDays: undefined } }] },
      'seasons.0.rule.dueLagDays: is required',
    ],
    ['no seasons', { seasons: [] }, 'seasons: must list at least one season'],
  ])('refuses %s, naming the field', (_label, config, expected) => {
    // Act
    const message = configError(config);

    // Assess
    expect(message).toContain('Invalid reporting calendar configuration');
    expect(message).toContain(expected);
  });

  it('lists every problem, one per line, as "path: message"', () => {
    // Prepare
    const config = {
      seasons: [{ name: 'S', windows: [{ ...window, sendDate: '2017-11-10', dueDate: '2017-11-05', note: 'x' }] }],
    };

    // Act
    const lines = configError(config).split('\n').slice(1);

    // Assess
    expect(lines).toEqual(
      expect.arrayContaining([
        '- seasons.0.windows.0: Unrecognized key: "note"',
        '- seasons.0.windows.0.sendDate: must be after end (2017-11-15)',
        '- seasons.0.windows.0.dueDate: must be after sendDate (2017-11-10)',
      ]),
    );
  });

  it('refuses input that is not a calendar at all without crashing', () => {
    // Act / Assess
    expect(configError(null)).toContain('(root):');
    expect(configError('seasons')).toContain('(root):');
    expect(configError({ seasons: [{ name: 'S', rule: { firstWindow: 'soon' } }] })).toContain(
      'seasons.0.rule.firstWindow:',
    );
  });
});
