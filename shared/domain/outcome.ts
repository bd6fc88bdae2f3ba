import { normalizeLabel } from './label';
import { compareIsoDates, type IsoDate } from './minnesota-time';
import { dayFirstReading, formatReportDate, parseReportDate } from './report-dates';

/*
 * The outcome of a referral, as the organization reports it, and the program's rules for it: Contact Made, Contact
 * Date, the nine Resolutions, the date rules and Comments. The returned sheet reads its cells into these typed
 * answers; any other way of reporting an outcome must use this module too, so the rules exist once.
 */

/** The program's resolutions (OE5 slides), in the order the drop-down shows them. */
export const RESOLUTIONS = [
  'Eligible for MA',
  'Eligible for MinnesotaCare',
  'Enrolled in QHP',
  'Eligible for QHP no enrollment',
  'No longer needs assistance',
  'Referred to another certified assister',
  'Unable to contact',
  'Assisted with technical issue only',
  'Contact made appointment scheduled',
] as const;

export type Resolution = (typeof RESOLUTIONS)[number];

/** The only resolutions that make sense when the assister never reached the consumer. */
export const RESOLUTIONS_WITHOUT_CONTACT: readonly Resolution[] = ['Unable to contact', 'No longer needs assistance'];

export const COMMENTS_MAX_LENGTH = 500;

/** What happened to a referral, as the organization reported it. */
export interface Outcome {
  contactMade: boolean;
  contactDate?: IsoDate;
  resolution: Resolution;
  comments?: string;
}

export const OUTCOME_FIELDS = ['contactMade', 'contactDate', 'resolution', 'comments'] as const;
export type OutcomeField = (typeof OUTCOME_FIELDS)[number];

/** The fields' names as the program (and the sheet's headers) call them; messages use them. */
export const OUTCOME_FIELD_LABELS = {
  contactMade: 'Contact Made (Y/N)',
  contactDate: 'Contact Date',
  resolution: 'Resolution',
  comments: 'Comments',
} as const satisfies Record<OutcomeField, string>;

/**
 * A field the caller could not read as a value (a formula, an error, a Y/N that is neither) and has refused itself:
 * it is not empty, and no rule judges it.
 */
export const UNREADABLE: unique symbol = Symbol('unreadable');

/** One answer: undefined when left empty, the value, or UNREADABLE. */
export type Answer<T> = T | typeof UNREADABLE | undefined;

export interface OutcomeAnswers {
  readonly contactMade?: Answer<boolean>;
  /** YYYY-MM-DD, or as a person types it (11/24/2017, 24-Nov-2017); blank text counts as empty. */
  readonly contactDate?: Answer<string>;
  /** One of RESOLUTIONS; case and spacing do not matter. */
  readonly resolution?: Answer<string>;
  readonly comments?: Answer<string>;
}

export interface OutcomeContext {
  /** The referral's date: contact cannot come before it. */
  readonly referredOn: IsoDate;
  /** Minnesota's today: contact cannot be in the future. */
  readonly today: IsoDate;
}

export interface OutcomeIssue {
  readonly field: OutcomeField;
  /** Stable id, for counting and tests. */
  readonly rule: string;
  /** A sentence a person at the organization can act on. */
  readonly message: string;
}

export type OutcomeCheck = { ok: true; outcome: Outcome } | { ok: false; issues: OutcomeIssue[] };

const QUOTED_VALUE_MAX = 40;

/** A value echoed in a message, short enough to read. Never used for comments, which may hold anything. */
export function quotedValue(text: string): string {
  const oneLine = text.trim().replace(/\s+/g, ' ');
  return `'${oneLine.length > QUOTED_VALUE_MAX ? `${oneLine.slice(0, QUOTED_VALUE_MAX)}…` : oneLine}'`;
}

const RESOLUTION_BY_LABEL: ReadonlyMap<string, Resolution> = new Map(
  RESOLUTIONS.map((resolution) => [normalizeLabel(resolution), resolution]),
);

/** The resolution a label names, case and spacing aside; undefined for anything else. */
export function resolutionOfLabel(text: string): Resolution | undefined {
  return RESOLUTION_BY_LABEL.get(normalizeLabel(text));
}

const CONTACT_MADE = OUTCOME_FIELD_LABELS.contactMade;

/** Blank text is an empty answer. */
function given<T>(answer: Answer<T>): T | typeof UNREADABLE | undefined {
  return typeof answer === 'string' && answer.trim() === '' ? undefined : answer;
}

/** Checks an outcome against the program's rules and reports every problem at once, at most one per field. */
export function checkOutcome(answers: OutcomeAnswers, context: OutcomeContext): OutcomeCheck {
  const issues: OutcomeIssue[] = [];
  const refuse = (field: OutcomeField, rule: string, message: string): void => {
    issues.push({ field, rule, message });
  };

  const contactMadeAnswer = given(answers.contactMade);
  if (contactMadeAnswer === undefined) {
    refuse('contactMade', 'contact-made-required', 'Required: type Y if you reached the consumer, N if you could not.');
  }
  const contactMade = typeof contactMadeAnswer === 'boolean' ? contactMadeAnswer : undefined;

  const contactDate = checkContactDate(given(answers.contactDate), contactMade, context, refuse);
  const resolution = checkResolution(given(answers.resolution), contactMade, refuse);

  let comments: string | undefined;
  const commentsAnswer = given(answers.comments);
  if (typeof commentsAnswer === 'string') {
    comments = commentsAnswer.trim();
    const length = [...comments].length;
    if (length > COMMENTS_MAX_LENGTH) {
      refuse(
        'comments',
        'comments-too-long',
        `The comment has ${length} characters, more than the ${COMMENTS_MAX_LENGTH} allowed; shorten it.`,
      );
    }
  }

  if (issues.length > 0 || contactMade === undefined || resolution === undefined) {
    return { ok: false, issues };
  }
  const outcome: Outcome = { contactMade, resolution };
  if (contactDate !== undefined) outcome.contactDate = contactDate;
  if (comments !== undefined) outcome.comments = comments;
  return { ok: true, outcome };
}

type Refuse = (field: OutcomeField, rule: string, message: string) => void;

function checkContactDate(
  answer: string | typeof UNREADABLE | undefined,
  contactMade: boolean | undefined,
  context: OutcomeContext,
  refuse: Refuse,
): IsoDate | undefined {
  if (answer === UNREADABLE) return undefined;
  if (answer === undefined) {
    if (contactMade === true) {
      refuse(
        'contactDate',
        'contact-date-required',
        `Required when ${CONTACT_MADE} is Y: type the day you reached the consumer, like 11/24/2017.`,
      );
    }
    return undefined;
  }
  if (contactMade === false) {
    refuse(
      'contactDate',
      'contact-date-without-contact',
      `A date is filled in but ${CONTACT_MADE} is N: clear the date, or change ${CONTACT_MADE} to Y.`,
    );
    return undefined;
  }
  const date = parseReportDate(answer);
  if (date === undefined) {
    refuse('contactDate', 'contact-date-invalid', `${quotedValue(answer)} is not a date${dayFirstHint(answer)}`);
    return undefined;
  }
  if (compareIsoDates(date, context.referredOn) < 0) {
    refuse(
      'contactDate',
      'contact-date-before-referral',
      `${formatReportDate(date)} is before the referral date, ${formatReportDate(context.referredOn)}; check the date.`,
    );
    return undefined;
  }
  if (compareIsoDates(date, context.today) > 0) {
    refuse(
      'contactDate',
      'contact-date-in-future',
      `${formatReportDate(date)} is in the future; type the day you reached the consumer.`,
    );
    return undefined;
  }
  return date;
}

/** "24/11/2017" is a day-first date; saying so is more use than "not a date" alone. */
function dayFirstHint(text: string): string {
  const swapped = dayFirstReading(text);
  if (swapped) {
    return `: dates are month/day/year, so did you mean ${formatReportDate(swapped)}?`;
  }
  return '; type it as MM/DD/YYYY, like 11/24/2017.';
}

function checkResolution(
  answer: string | typeof UNREADABLE | undefined,
  contactMade: boolean | undefined,
  refuse: Refuse,
): Resolution | undefined {
  if (answer === UNREADABLE) return undefined;
  if (answer === undefined) {
    refuse('resolution', 'resolution-required', 'Required: pick one resolution from the drop-down list.');
    return undefined;
  }
  const resolution = resolutionOfLabel(answer);
  if (resolution === undefined) {
    refuse(
      'resolution',
      'resolution-unknown',
      `${quotedValue(answer)} is not one of the program's resolutions; pick one from the drop-down list.`,
    );
  } else if (contactMade === false && !RESOLUTIONS_WITHOUT_CONTACT.includes(resolution)) {
    refuse(
      'resolution',
      'resolution-needs-contact',
      `'${resolution}' means the consumer was reached, but ${CONTACT_MADE} is N: choose ${RESOLUTIONS_WITHOUT_CONTACT.map((r) => `'${r}'`).join(' or ')}, or change ${CONTACT_MADE} to Y.`,
    );
  }
  return resolution;
}
