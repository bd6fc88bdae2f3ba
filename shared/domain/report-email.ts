import { emailDocument, escapeHtml } from '../format/html';
import type { IsoDate } from './minnesota-time';
import { writtenDate } from './minnesota-time';
import type { Report } from './report';

/** The report emails: window, counts and dates, links; never a consumer's name in them. */
export interface ReportEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface ReportProblemLine {
  readonly rowNumber: number;
  readonly referralId: string;
  readonly column: string;
  readonly rule: string;
  readonly message: string;
}

/** "Wednesday, November 29, 2017" */
export function spokenDate(date: IsoDate): string {
  return writtenDate(date);
}

function windowText(r: Pick<Report, 'windowStart' | 'windowEnd'>): string {
  return `${spokenDate(r.windowStart)} – ${spokenDate(r.windowEnd)}`;
}

function render(
  subject: string,
  paragraphs: (string | { list: string[] } | { link: string; label: string })[],
): ReportEmail {
  const text = paragraphs
    .map((p) =>
      typeof p === 'string' ? p : 'list' in p ? p.list.map((l) => `  - ${l}`).join('\n') : `${p.label}: ${p.link}`,
    )
    .join('\n\n');
  const html = emailDocument(
    subject,
    paragraphs.map((p) =>
      typeof p === 'string'
        ? `<p>${escapeHtml(p)}</p>`
        : 'list' in p
          ? `<ul>${p.list.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`
          : `<p><a href="${escapeHtml(p.link)}">${escapeHtml(p.label)}</a></p>`,
    ),
  );
  return { subject, text: `${text}\n`, html };
}

export function composeReportEmail(input: {
  report: Report;
  organizationName: string;
  downloadUrl: string;
  uploadUrl: string;
  linksExpireOn: IsoDate;
  programContact: string;
}): ReportEmail {
  const { report } = input;
  return render(`PAL report for ${report.windowStart} to ${report.windowEnd}: due ${report.dueDate}`, [
    `Your Preferred Assister Report for ${input.organizationName} is ready.`,
    {
      list: [
        `Reporting window: ${windowText(report)}`,
        `Referrals MNsure sent you in this window: ${report.referralCount}`,
        `Due back by: ${spokenDate(report.dueDate)}`,
      ],
    },
    'For each referral, fill in Contact Made (Y/N), Contact Date, Resolution and, if it helps, Comments. The Instructions sheet explains each column.',
    { link: input.downloadUrl, label: 'Download the report' },
    { link: input.uploadUrl, label: 'Upload the completed report' },
    'You can also reply to this email with the completed spreadsheet attached, from your designated lead contact address.',
    `These links work until ${spokenDate(input.linksExpireOn)}. Questions: ${input.programContact}.`,
  ]);
}

/** A receipt lists at most this many problems and referrals, then a count of the rest: its size stays bounded. */
export const RECEIPT_MAX_PROBLEMS = 200;

export function composeReceiptEmail(input: {
  report: Report;
  organizationName: string;
  /** Rows whose outcome was stored by this file. */
  accepted: number;
  /** Valid rows not stored because a file that arrived later already answered them. */
  superseded?: number;
  /** The first problems (at most RECEIPT_MAX_PROBLEMS), and how many there were in all. */
  problems: readonly ReportProblemLine[];
  problemCount?: number;
  missingReferralIds: readonly string[];
  late: boolean;
  /** Set when a file with the same bytes was applied before. */
  repeat?: { firstAppliedOn: IsoDate; changed: boolean };
  uploadUrl?: string;
  programContact: string;
}): ReportEmail {
  const { report } = input;
  const problemCount = Math.max(input.problemCount ?? 0, input.problems.length);
  // Complete only when nothing is missing and nothing in this file was refused.
  const complete = input.missingReferralIds.length === 0 && problemCount === 0;
  const window = `${report.windowStart} to ${report.windowEnd}`;
  const missingLine = `Referrals still without an outcome: ${input.missingReferralIds.length}`;
  if (input.repeat && !input.repeat.changed) {
    return render(`PAL report already received: ${window}`, [
      `We received the Preferred Assister Report of ${input.organizationName} for ${windowText(report)} again.`,
      `This file was already applied on ${spokenDate(input.repeat.firstAppliedOn)}; nothing changed.`,
      { list: [missingLine] },
      ...(input.missingReferralIds.length > 0 && input.uploadUrl
        ? [{ link: input.uploadUrl, label: 'Upload the completed report' }]
        : []),
      `Questions: ${input.programContact}.`,
    ]);
  }
  const status = complete ? 'complete' : 'incomplete';
  const paragraphs: Parameters<typeof render>[1] = [
    `We received the Preferred Assister Report of ${input.organizationName} for ${windowText(report)}. It is ${status}.`,
    ...(input.repeat
      ? [
          `This file was already applied on ${spokenDate(input.repeat.firstAppliedOn)}; sent again, its outcomes replace those of the files sent since.`,
        ]
      : []),
    {
      list: [
        `Rows accepted: ${input.accepted}`,
        ...(input.superseded ? [`Rows already answered by a file sent later: ${input.superseded}`] : []),
        `Rows with a problem: ${problemCount}`,
        missingLine,
        ...(input.late
          ? [`It arrived after the due date (${spokenDate(report.dueDate)}); it is accepted all the same.`]
          : []),
      ],
    },
  ];
  if (problemCount > 0) {
    paragraphs.push('Please correct these rows and send the whole sheet again (accepted rows are kept):');
    const listed = input.problems.slice(0, RECEIPT_MAX_PROBLEMS);
    paragraphs.push({
      list: [
        ...listed.map((p) => `Row ${p.rowNumber}, referral ${p.referralId || '(none)'}, ${p.column}: ${p.message}`),
        ...(problemCount > listed.length
          ? [`…and ${problemCount - listed.length} more problems not listed here.`]
          : []),
      ],
    });
  }
  if (input.missingReferralIds.length > 0) {
    const listed = input.missingReferralIds.slice(0, RECEIPT_MAX_PROBLEMS);
    const rest = input.missingReferralIds.length - listed.length;
    paragraphs.push('These referrals have no outcome yet:');
    paragraphs.push({ list: [...listed.map(String), ...(rest > 0 ? [`…and ${rest} more.`] : [])] });
  }
  if (!complete && input.uploadUrl) paragraphs.push({ link: input.uploadUrl, label: 'Upload the corrected report' });
  paragraphs.push(`Questions: ${input.programContact}.`);
  return render(`PAL report ${status}: ${window}`, paragraphs);
}

export function composeRefusalEmail(input: { reason: string; fileName?: string; programContact: string }): ReportEmail {
  return render('PAL report not accepted', [
    `We could not accept the file${input.fileName ? ` ${input.fileName}` : ''} you sent as a Preferred Assister Report: ${input.reason}`,
    'Nothing from it was stored. Please send the spreadsheet MNsure sent you, filled in, as an .xlsx file.',
    `Questions: ${input.programContact}.`,
  ]);
}

export function composeReminderEmail(input: {
  report: Report;
  organizationName: string;
  missing: number;
  uploadUrl: string;
  programContact: string;
}): ReportEmail {
  const { report } = input;
  return render(`Reminder: PAL report due ${report.dueDate}`, [
    `The Preferred Assister Report of ${input.organizationName} for ${windowText(report)} is due ${spokenDate(report.dueDate)}.`,
    `Referrals still without an outcome: ${input.missing}.`,
    { link: input.uploadUrl, label: 'Upload the completed report' },
    'Or reply to the report email with the completed spreadsheet attached.',
    `Questions: ${input.programContact}.`,
  ]);
}

export function composeOverdueEmail(input: {
  report: Report;
  organizationName: string;
  missing: number;
  uploadUrl: string;
  programContact: string;
}): ReportEmail {
  const { report } = input;
  return render(`Overdue: PAL report for ${report.windowStart} to ${report.windowEnd}`, [
    `The Preferred Assister Report of ${input.organizationName} for ${windowText(report)} was due ${spokenDate(report.dueDate)} and is overdue.`,
    `Referrals still without an outcome: ${input.missing}. A late report is still accepted.`,
    { link: input.uploadUrl, label: 'Upload the completed report' },
    `Questions: ${input.programContact}.`,
  ]);
}
