import { z } from 'zod';
import calendarJson from '../../config/reporting-calendar.json';
import { addDays, compareIsoDates, daysBetween, IsoDateSchema, type IsoDate } from './minnesota-time';

/*
 * The biweekly reporting calendar: MNsure sends each organization a spreadsheet of the referrals it received in a
 * reporting window (start..end, inclusive Minnesota dates) on the send date, and wants it back by the due date.
 * Seasons are configuration (config/reporting-calendar.json), either a repeating rule or an explicit list.
 */

export interface ReportingWindow {
  /** Stable and PII-free: '<start>_<end>', e.g. '2017-11-01_2017-11-15'. */
  readonly id: string;
  readonly season: string;
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly sendDate: IsoDate;
  readonly dueDate: IsoDate;
}

// Sanity bounds: they catch typos (a cadence of 140 instead of 14 is legal, 1400 is not) and keep date arithmetic finite.
const MAX_DAY_COUNT = 366;
const MAX_WINDOW_COUNT = 1000;
/** windowsBetween refuses ranges longer than this rather than silently truncating an open-ended season. */
export const MAX_WINDOWS_PER_QUERY = 1000;

// Refinements run even when a nested field failed, so they compare only values that parsed.
function isValidDate(value: unknown): value is IsoDate {
  return IsoDateSchema.safeParse(value).success;
}

function isDayCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_DAY_COUNT;
}

const dayCount = (min: number) =>
  z
    .int({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a whole number of days') })
    .min(min, { error: `must be at least ${min}` })
    .max(MAX_DAY_COUNT, { error: `must be at most ${MAX_DAY_COUNT}` });

const FirstWindowSchema = z.strictObject({ start: IsoDateSchema, end: IsoDateSchema }).superRefine((window, ctx) => {
  if (isValidDate(window.start) && isValidDate(window.end) && compareIsoDates(window.end, window.start) < 0) {
    ctx.addIssue({ code: 'custom', path: ['end'], message: `must be on or after start (${window.start})` });
  }
});

const RuleSchema = z.strictObject({
  firstWindow: FirstWindowSchema,
  cadenceDays: dayCount(1),
  sendLagDays: dayCount(0),
  dueLagDays: dayCount(1),
  windowCount: z
    .int({ error: 'must be a whole number of windows' })
    .min(1, { error: 'must be at least 1' })
    .max(MAX_WINDOW_COUNT, { error: `must be at most ${MAX_WINDOW_COUNT}` })
    .optional(),
});

const ExplicitWindowSchema = z
  .strictObject({ start: IsoDateSchema, end: IsoDateSchema, sendDate: IsoDateSchema, dueDate: IsoDateSchema })
  .superRefine((window, ctx) => {
    const { start, end, sendDate, dueDate } = window;
    if (isValidDate(start) && isValidDate(end) && compareIsoDates(end, start) < 0) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `must be on or after start (${start})` });
    }
    if (isValidDate(end) && isValidDate(sendDate) && compareIsoDates(sendDate, end) <= 0) {
      ctx.addIssue({ code: 'custom', path: ['sendDate'], message: `must be after end (${end})` });
    }
    if (isValidDate(sendDate) && isValidDate(dueDate) && compareIsoDates(dueDate, sendDate) <= 0) {
      ctx.addIssue({ code: 'custom', path: ['dueDate'], message: `must be after sendDate (${sendDate})` });
    }
  });

const SeasonSchema = z
  .strictObject({
    name: z.string().trim().min(1, { error: 'must not be empty' }),
    rule: RuleSchema.optional(),
    windows: z.array(ExplicitWindowSchema).min(1, { error: 'must list at least one window' }).optional(),
  })
  .superRefine((season, ctx) => {
    if ((season.rule === undefined) === (season.windows === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'must have exactly one of "rule" or "windows"' });
    }
  });

/** A span of dates claimed by a season, with the config path to blame when it overlaps another. */
interface ClaimedSpan {
  readonly start: IsoDate;
  readonly end: IsoDate | undefined; // undefined: open-ended
  readonly season: string;
  readonly fromRule: boolean;
  readonly path: (string | number)[];
}

function ruleLastEnd(firstEnd: IsoDate, cadenceDays: number, windowCount: number): IsoDate {
  return addDays(firstEnd, (windowCount - 1) * cadenceDays);
}

type SeasonInput = z.infer<typeof SeasonSchema>;

/** The spans each season occupies; a rule's windows are contiguous, so one span covers them all. */
function claimedSpans(seasons: readonly SeasonInput[]): ClaimedSpan[] {
  const spans: ClaimedSpan[] = [];
  seasons.forEach((season, seasonIndex) => {
    const rule = season.rule;
    if (rule && season.windows === undefined) {
      const { start, end } = rule.firstWindow;
      const count = rule.windowCount;
      const countOk = count === undefined || (Number.isInteger(count) && count >= 1 && count <= MAX_WINDOW_COUNT);
      if (!isValidDate(start) || !isValidDate(end) || !isDayCount(rule.cadenceDays, 1) || !countOk) {
        return;
      }
      spans.push({
        start,
        end: count === undefined ? undefined : ruleLastEnd(end, rule.cadenceDays, count),
        season: season.name,
        fromRule: true,
        path: ['seasons', seasonIndex, 'rule', 'firstWindow', 'start'],
      });
    }
    if (season.windows && rule === undefined) {
      season.windows.forEach((window, windowIndex) => {
        if (isValidDate(window.start) && isValidDate(window.end)) {
          spans.push({
            start: window.start,
            end: window.end,
            season: season.name,
            fromRule: false,
            path: ['seasons', seasonIndex, 'windows', windowIndex, 'start'],
          });
        }
      });
    }
  });
  return spans;
}

function describeSpan(span: ClaimedSpan): string {
  if (span.fromRule) {
    const range = span.end === undefined ? `${span.start} onward` : `${span.start}..${span.end}`;
    return `season "${span.season}" (windows ${range})`;
  }
  return `window ${span.start}..${span.end ?? ''} of season "${span.season}"`;
}

export const ReportingCalendarConfigSchema = z
  .strictObject({
    seasons: z.array(SeasonSchema).min(1, { error: 'must list at least one season' }),
  })
  .superRefine((config, ctx) => {
    const seenNames = new Map<string, number>();
    config.seasons.forEach((season, index) => {
      const earlier = seenNames.get(season.name);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['seasons', index, 'name'],
          message: `duplicates the name of seasons.${earlier} ("${season.name}")`,
        });
      } else {
        seenNames.set(season.name, index);
      }
      if (season.rule && season.rule.windowCount === undefined && index !== config.seasons.length - 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['seasons', index, 'rule', 'windowCount'],
          message: 'is required unless this is the last season (an open-ended season must be the last one)',
        });
      }
    });

    // Sort by start and compare each span with the furthest-reaching earlier one: any overlap is found in one pass.
    const spans = claimedSpans(config.seasons).sort((a, b) => compareIsoDates(a.start, b.start));
    let furthest: ClaimedSpan | undefined;
    for (const span of spans) {
      if (furthest && (furthest.end === undefined || compareIsoDates(span.start, furthest.end) <= 0)) {
        ctx.addIssue({
          code: 'custom',
          path: span.path,
          message: `${describeSpan(span)} overlaps ${describeSpan(furthest)}`,
        });
      }
      if (
        !furthest ||
        (furthest.end !== undefined && (span.end === undefined || compareIsoDates(span.end, furthest.end) > 0))
      ) {
        furthest = span;
      }
    }
  });

export type ReportingCalendarConfig = z.infer<typeof ReportingCalendarConfigSchema>;

interface RuleSegment {
  readonly kind: 'rule';
  readonly season: string;
  readonly firstStart: IsoDate;
  readonly firstEnd: IsoDate;
  readonly cadenceDays: number;
  readonly sendLagDays: number;
  readonly dueLagDays: number;
  /** undefined: open-ended, windows are computed on demand. */
  readonly windowCount: number | undefined;
}

interface ListSegment {
  readonly kind: 'list';
  readonly season: string;
  readonly windows: readonly ReportingWindow[];
}

type Segment = RuleSegment | ListSegment;

function makeWindow(
  season: string,
  start: IsoDate,
  end: IsoDate,
  sendDate: IsoDate,
  dueDate: IsoDate,
): ReportingWindow {
  return Object.freeze({ id: `${start}_${end}`, season, start, end, sendDate, dueDate });
}

function ruleWindowAt(segment: RuleSegment, index: number): ReportingWindow {
  const start = index === 0 ? segment.firstStart : addDays(segment.firstEnd, 1 + (index - 1) * segment.cadenceDays);
  const end = index === 0 ? segment.firstEnd : addDays(start, segment.cadenceDays - 1);
  const sendDate = addDays(end, segment.sendLagDays);
  return makeWindow(segment.season, start, end, sendDate, addDays(sendDate, segment.dueLagDays));
}

/** Index of the rule window that would contain date, ignoring windowCount; -1 before the first window. */
function ruleIndexOf(segment: RuleSegment, date: IsoDate): number {
  if (compareIsoDates(date, segment.firstStart) < 0) {
    return -1;
  }
  const afterFirst = daysBetween(segment.firstEnd, date);
  return afterFirst <= 0 ? 0 : 1 + Math.floor((afterFirst - 1) / segment.cadenceDays);
}

function ruleWindowContaining(segment: RuleSegment, date: IsoDate): ReportingWindow | undefined {
  const index = ruleIndexOf(segment, date);
  if (index < 0 || (segment.windowCount !== undefined && index >= segment.windowCount)) {
    return undefined;
  }
  return ruleWindowAt(segment, index);
}

function byStart(a: ReportingWindow, b: ReportingWindow): number {
  return compareIsoDates(a.start, b.start);
}

function toSegment(season: SeasonInput): Segment {
  if (season.rule) {
    return {
      kind: 'rule',
      season: season.name,
      firstStart: season.rule.firstWindow.start,
      firstEnd: season.rule.firstWindow.end,
      cadenceDays: season.rule.cadenceDays,
      sendLagDays: season.rule.sendLagDays,
      dueLagDays: season.rule.dueLagDays,
      windowCount: season.rule.windowCount,
    };
  }
  const windows = (season.windows ?? []).map((window) =>
    makeWindow(season.name, window.start, window.end, window.sendDate, window.dueDate),
  );
  return { kind: 'list', season: season.name, windows: Object.freeze(windows.sort(byStart)) };
}

function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

const WINDOW_ID_PATTERN = /^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$/;

export class ReportingCalendar {
  private constructor(private readonly segments: readonly Segment[]) {}

  /** Validates the configuration; throws an Error listing every problem as "path: message". */
  static fromConfig(json: unknown): ReportingCalendar {
    const parsed = ReportingCalendarConfigSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
      throw new Error(`Invalid reporting calendar configuration:\n- ${problems.join('\n- ')}`);
    }
    return new ReportingCalendar(parsed.data.seasons.map(toSegment));
  }

  windowContaining(date: IsoDate): ReportingWindow | undefined {
    for (const segment of this.segments) {
      const window =
        segment.kind === 'rule'
          ? ruleWindowContaining(segment, date)
          : segment.windows.find((w) => compareIsoDates(w.start, date) <= 0 && compareIsoDates(date, w.end) <= 0);
      if (window) {
        return window;
      }
    }
    return undefined;
  }

  /** Windows whose spreadsheet goes out on date. */
  windowsSendingOn(date: IsoDate): ReportingWindow[] {
    return this.windowsWhere(date, (segment) => segment.sendLagDays, 'sendDate');
  }

  /** Windows whose spreadsheet is due back on date. */
  windowsDueOn(date: IsoDate): ReportingWindow[] {
    return this.windowsWhere(date, (segment) => segment.sendLagDays + segment.dueLagDays, 'dueDate');
  }

  windowById(id: string): ReportingWindow | undefined {
    const match = WINDOW_ID_PATTERN.exec(id);
    if (!match || !isValidDate(match[1]) || !isValidDate(match[2])) {
      return undefined;
    }
    const window = this.windowContaining(match[1]);
    return window && window.id === id ? window : undefined;
  }

  /** Windows overlapping [from, to], in date order. Throws rather than return more than MAX_WINDOWS_PER_QUERY. */
  windowsBetween(from: IsoDate, to: IsoDate): ReportingWindow[] {
    if (compareIsoDates(to, from) < 0) {
      return [];
    }
    const found: ReportingWindow[] = [];
    const take = (window: ReportingWindow): void => {
      if (found.length >= MAX_WINDOWS_PER_QUERY) {
        throw new RangeError(`windowsBetween(${from}, ${to}) spans more than ${MAX_WINDOWS_PER_QUERY} windows`);
      }
      found.push(window);
    };
    for (const segment of this.segments) {
      if (segment.kind === 'list') {
        segment.windows
          .filter((w) => compareIsoDates(w.start, to) <= 0 && compareIsoDates(from, w.end) <= 0)
          .forEach(take);
        continue;
      }
      const last = ruleIndexOf(segment, to);
      const lastIndex = segment.windowCount === undefined ? last : Math.min(last, segment.windowCount - 1);
      for (let index = Math.max(0, ruleIndexOf(segment, from)); index <= lastIndex; index += 1) {
        take(ruleWindowAt(segment, index));
      }
    }
    return found.sort(byStart);
  }

  /** A window matches when its end is date minus the lag; rule seasons answer arithmetically. */
  private windowsWhere(
    date: IsoDate,
    lagOf: (segment: RuleSegment) => number,
    field: 'sendDate' | 'dueDate',
  ): ReportingWindow[] {
    const found: ReportingWindow[] = [];
    for (const segment of this.segments) {
      if (segment.kind === 'list') {
        found.push(...segment.windows.filter((w) => w[field] === date));
        continue;
      }
      const end = addDays(date, -lagOf(segment));
      const window = ruleWindowContaining(segment, end);
      if (window && window.end === end) {
        found.push(window);
      }
    }
    return found.sort(byStart);
  }
}

let defaultCalendar: ReportingCalendar | undefined;

/** The calendar in config/reporting-calendar.json, imported statically so bundlers inline it; parsed once. */
export function loadDefaultReportingCalendar(): ReportingCalendar {
  defaultCalendar ??= ReportingCalendar.fromConfig(calendarJson);
  return defaultCalendar;
}
