import { Writable, type Stream } from 'node:stream';
import ExcelJS from 'exceljs';
import { writtenDate, minnesotaDateOf, type IsoDate } from '../domain/minnesota-time';
import { COMMENTS_MAX_LENGTH, RESOLUTIONS, RESOLUTIONS_WITHOUT_CONTACT } from '../domain/outcome';
import { formatReportDate } from '../domain/report-dates';
import {
  IDENTITY_DEFINED_NAMES,
  IDENTITY_SHEET_NAME,
  INSTRUCTIONS_SHEET_NAME,
  LISTS_SHEET_NAME,
  REPORT_COLUMNS,
  REPORT_SHEET_NAME,
  type ReportColumnKey,
  type ReportIdentity,
  type ReportRow,
} from '../domain/report-sheet';

/*
 * Writes the Preferred Assister Report with exceljs's streaming writer: each referral row is committed (turned into
 * XML and handed to the zip) as soon as it is written, so a 50,000-row report never sits in memory as cells.
 *
 * What the streaming writer supports, checked in exceljs 4.4.0's lib/stream/xlsx/*-writer.js:
 * - sheet protection (worksheet.protect) and cell styles with protection { locked: false }: yes;
 * - data validations: yes, written when the sheet is committed, one <dataValidation> per range we add;
 * - sheet state 'hidden' / 'veryHidden': yes (addWorksheet option `state`, written to workbook.xml);
 * - defined names: only as cell ranges through its API. The identifier names are string constants, so their
 *   model is supplied directly (see defineIdentityNames); the hidden "PAL" sheet carries the same values.
 * Strings are always written as string cells (shared strings, t="s"), never as formulas, even when they start with
 * "=": exceljs only writes a formula for a { formula } value, which this module never creates.
 */

export interface ReportWorkbookInput {
  identity: ReportIdentity;
  signature: string;
  organizationName: string;
  window: { start: IsoDate; end: IsoDate; sendDate: IsoDate; dueDate: IsoDate };
  /** Who to ask about the program, e.g. "assisterleads@mnsure.org". */
  programContact: string;
  returnInstructions: { uploadUrl?: string; replyTo: string };
  rows: Iterable<ReportRow> | AsyncIterable<ReportRow>;
  generatedAt: Date;
}

type Workbook = ExcelJS.stream.xlsx.WorkbookWriter;
/** exceljs's typings leave out the worksheet's dataValidations, which both its writers have. */
type Worksheet = ExcelJS.Worksheet & {
  dataValidations: { add(address: string, validation: ExcelJS.DataValidation): void };
};

const DATE_FORMAT = 'mm/dd/yyyy';
/** '@' is Excel's Text format: whatever the organization types there stays text, "=..." included. */
const TEXT_FORMAT = '@';
/** Rows between yields to the event loop, so the zip stream drains while rows are produced. */
const ROWS_PER_YIELD = 500;

const HEADER_FILL_MNSURE: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9D9D9' } };
const HEADER_FILL_ORGANIZATION: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };

// One style object per kind of cell: exceljs recognises a style it has seen by identity, which keeps styling cheap.
const STYLES = {
  headerMnsure: { font: { bold: true }, fill: HEADER_FILL_MNSURE },
  headerOrganization: { font: { bold: true }, fill: HEADER_FILL_ORGANIZATION },
  mnsure: {},
  referredOn: { numFmt: DATE_FORMAT },
  organizationText: { numFmt: TEXT_FORMAT, protection: { locked: false } },
  organizationDate: { numFmt: DATE_FORMAT, protection: { locked: false } },
  title: { font: { bold: true, size: 14 } },
  label: { font: { bold: true }, alignment: { vertical: 'top' } },
  text: { alignment: { wrapText: true, vertical: 'top' } },
} satisfies Record<string, Partial<ExcelJS.Style>>;

/**
 * The style of each data cell, left to right. Every cell gets one of these shared objects: exceljs otherwise builds
 * a fresh style object per cell and renders it to XML to look it up, which is most of the cost of a large sheet.
 */
const DATA_STYLES: readonly Partial<ExcelJS.Style>[] = REPORT_COLUMNS.map((column) => {
  if (column.key === 'referredOn') return STYLES.referredOn;
  if (column.key === 'contactDate') return STYLES.organizationDate;
  return column.filledBy === 'organization' ? STYLES.organizationText : STYLES.mnsure;
});

/**
 * Sheet protection here guides people; it is not security: anyone can lift a sheet password with a search engine.
 * So there is no password (it could only be forgotten). What makes a sheet trustworthy is the signature.
 * Filtering works on the protected sheet; Excel sorts it only where every cell of the sort range is unlocked.
 */
const REFERRALS_PROTECTION: Partial<ExcelJS.WorksheetProtection> = {
  selectLockedCells: true,
  selectUnlockedCells: true,
  formatColumns: true,
  sort: true,
  autoFilter: true,
};

const COLUMN_DESCRIPTIONS: Record<ReportColumnKey, string> = {
  referralId: "MNsure's id for the referral. Do not change it: it is how we match your answers to the referral.",
  referredOn: 'The day MNsure referred the consumer to you.',
  consumerName: 'The consumer who was referred.',
  phone: "The consumer's phone number.",
  countyName: 'The county the consumer lives in.',
  assisterType: 'Navigator or broker: the kind of help the consumer was referred for.',
  reason: 'Why the consumer is seeking help from an assister.',
  contactMade: 'Required. Y if you reached the consumer, N if you could not.',
  // The example date is the report's own (see exampleDate): a 2017 date in a 2026 report reads as a mistake.
  contactDate:
    'Required when Contact Made is Y: the month, day and year you reached the consumer, like {example}. Leave it empty when Contact Made is N.',
  resolution: 'Required. Pick exactly one resolution from the drop-down list.',
  comments: `Optional. Anything that helps explain the outcome, up to ${COMMENTS_MAX_LENGTH} characters.`,
};

function dateOf(date: IsoDate): Date {
  return new Date(`${date}T00:00:00Z`);
}

/** 0 → "A"; the report has far fewer than 26 columns. */
function columnLetter(index: number): string {
  return String.fromCharCode(65 + index);
}

function columnOf(key: ReportColumnKey): string {
  return columnLetter(REPORT_COLUMNS.findIndex((column) => column.key === key));
}

/** Streams the report to out and resolves once out has received all of it. */
export async function writeReportWorkbook(
  input: ReportWorkbookInput,
  out: NodeJS.WritableStream,
): Promise<{ rowCount: number }> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    // exceljs's typings ask for a Stream; it only pipes its zip into it, which any writable stream accepts.
    stream: out as unknown as Stream,
    useStyles: true,
    // Shared strings make every text cell t="s", the plain string cell Excel itself writes. Without them exceljs
    // writes t="str" (a formula's cached text, outside the spec without a formula); that saves ~60 MB at 50,000 rows.
    useSharedStrings: true,
  });
  workbook.creator = 'MNsure Preferred Assister Lead program';
  workbook.created = input.generatedAt;
  workbook.modified = input.generatedAt;
  workbook.views = [{ x: 0, y: 0, width: 24000, height: 16000, firstSheet: 0, activeTab: 0, visibility: 'visible' }];

  // The zip takes sheets one after another, so each is committed before the next begins.
  addInstructions(workbook, input);
  const rowCount = await addReferrals(workbook, input);
  await addLists(workbook);
  await addIdentity(workbook, input);
  defineIdentityNames(workbook, input);
  await workbook.commit();
  return { rowCount };
}

/** The whole report as one Buffer (tests, small reports). */
export async function buildReportWorkbook(input: ReportWorkbookInput): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  await writeReportWorkbook(input, sink);
  return Buffer.concat(chunks);
}

function addInstructions(workbook: Workbook, input: ReportWorkbookInput): void {
  const sheet = workbook.addWorksheet(INSTRUCTIONS_SHEET_NAME);
  sheet.columns = [{ width: 28 }, { width: 110 }];
  const { window, returnInstructions } = input;

  const title = sheet.addRow([`Preferred Assister Report — ${input.organizationName}`]);
  title.getCell(1).style = STYLES.title;
  title.commit();
  const lines: [string, string | ExcelJS.CellHyperlinkValue][] = [
    ['Organization', input.organizationName],
    [
      'Reporting window',
      `Referrals sent ${writtenDate(window.start, false)} through ${writtenDate(window.end, false)}`,
    ],
    ['Report sent', writtenDate(window.sendDate)],
    ['Due back by', writtenDate(window.dueDate)],
    ['Prepared', writtenDate(minnesotaDateOf(input.generatedAt), false)],
    ['', ''],
    [
      'What to do',
      `For every referral on the "${REPORT_SHEET_NAME}" sheet, fill in the columns with yellow headers: what happened to the referral. Program policy asks you to report on every referral.`,
    ],
    ...REPORT_COLUMNS.map((column): [string, string] => [
      column.header,
      COLUMN_DESCRIPTIONS[column.key].replace('{example}', exampleDate(window)),
    ]),
    ['', ''],
    ['Resolutions', 'Choose exactly one of these:'],
    ...RESOLUTIONS.map((resolution): [string, string] => ['', resolution]),
    ['', ''],
    [
      'Rules',
      `Contact Made N goes only with the resolutions ${RESOLUTIONS_WITHOUT_CONTACT.map((r) => `"${r}"`).join(' or ')}.`,
    ],
    [
      '',
      // The server's rule, exactly: a late report may carry contact dates after the due date.
      "Contact Date cannot be before the referral's Referred On date, nor in the future.",
    ],
    ['', `Comments can be at most ${COMMENTS_MAX_LENGTH} characters.`],
    ['', 'Type values; formulas are not accepted.'],
    ['', ''],
    ['How to return it', ...returnSteps(returnInstructions)],
    ['Questions', `Write to ${input.programContact}.`],
    ['', ''],
    [
      'Please',
      `Do not rename, add or remove sheets or column headers, and keep the file as an Excel Workbook (.xlsx) without a password: we read the file by those names.`,
    ],
  ];
  for (const [label, text] of lines) {
    const row = sheet.addRow([label, text]);
    row.getCell(1).style = STYLES.label;
    row.getCell(2).style = STYLES.text;
    row.commit();
  }
  sheet.commit();
}

/** An example Contact Date from the report's own period: its window's last day. */
function exampleDate(window: ReportWorkbookInput['window']): string {
  return formatReportDate(window.end);
}

function returnSteps(how: ReportWorkbookInput['returnInstructions']): [string | ExcelJS.CellHyperlinkValue] {
  const reply = `reply to the email this report came with and attach the completed file (or send it to ${how.replyTo}).`;
  if (how.uploadUrl) {
    const text = `Upload the completed file at ${how.uploadUrl}, or ${reply}`;
    // Only a web address becomes a link; anything else stays plain text.
    return [/^https:\/\//.test(how.uploadUrl) ? { text, hyperlink: how.uploadUrl } : text];
  }
  // The upload link is in the report email only: a sheet is forwarded and filed, and its link would go along.
  return [`Save the completed file, then upload it with the link in the email this report came with, or ${reply}`];
}

async function addReferrals(workbook: Workbook, input: ReportWorkbookInput): Promise<number> {
  const sheet = workbook.addWorksheet(REPORT_SHEET_NAME, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
  }) as Worksheet;
  sheet.columns = REPORT_COLUMNS.map((column) => ({ width: column.width }));

  const header = sheet.addRow(REPORT_COLUMNS.map((column) => column.header));
  REPORT_COLUMNS.forEach((column, index) => {
    header.getCell(index + 1).style =
      column.filledBy === 'organization' ? STYLES.headerOrganization : STYLES.headerMnsure;
  });
  header.commit();

  let rowCount = 0;
  for await (const referral of input.rows) {
    const values: Record<ReportColumnKey, ExcelJS.CellValue> = {
      referralId: referral.referralId,
      referredOn: dateOf(referral.referredOn),
      consumerName: referral.consumerName,
      phone: referral.phone,
      countyName: referral.countyName,
      assisterType: referral.assisterType === 'navigator' ? 'Navigator' : 'Broker',
      reason: referral.reason,
      contactMade: null,
      contactDate: null,
      resolution: null,
      comments: null,
    };
    const row = sheet.addRow(REPORT_COLUMNS.map((column) => values[column.key]));
    DATA_STYLES.forEach((style, index) => {
      row.getCell(index + 1).style = style;
    });
    row.commit();
    rowCount += 1;
    if (rowCount % ROWS_PER_YIELD === 0) await new Promise((resolve) => setImmediate(resolve));
  }

  const lastRow = rowCount + 1;
  sheet.autoFilter = `A1:${columnLetter(REPORT_COLUMNS.length - 1)}${lastRow}`;
  if (rowCount > 0) addValidations(sheet, input, lastRow);
  await sheet.protect('', REFERRALS_PROTECTION);
  sheet.commit();
  return rowCount;
}

/** One rule per column range, not per cell: a 50,000-row sheet still has four <dataValidation> elements. */
function addValidations(sheet: Worksheet, input: ReportWorkbookInput, lastRow: number): void {
  const range = (key: ReportColumnKey) => `${columnOf(key)}2:${columnOf(key)}${lastRow}`;
  const common = { allowBlank: true, showErrorMessage: true, errorStyle: 'stop', showInputMessage: true } as const;

  sheet.dataValidations.add(range('contactMade'), {
    ...common,
    type: 'list',
    formulae: ['"Y,N"'],
    promptTitle: 'Contact Made',
    prompt: 'Y if you reached the consumer, N if you could not.',
    errorTitle: 'Contact Made is Y or N',
    error: 'Type Y if you reached the consumer, or N if you could not.',
  });
  // A custom rule rather than a date range from the window start: its formula is relative to the first row of the
  // range, so each row compares with its own Referred On date (ISNUMBER, because Excel ranks any text above dates).
  const contactDate = `${columnOf('contactDate')}2`;
  const referredOn = `${columnOf('referredOn')}2`;
  sheet.dataValidations.add(range('contactDate'), {
    ...common,
    type: 'custom',
    formulae: [
      // Not after today, as ingest checks: a report returned late may name a contact after its due date.
      `AND(ISNUMBER(${contactDate}),${contactDate}>=${referredOn},${contactDate}<=TODAY())`,
    ],
    promptTitle: 'Contact Date',
    prompt: `The day you reached the consumer, like ${exampleDate(input.window)}. Leave empty when Contact Made is N.`,
    errorTitle: 'Contact Date is not valid',
    error:
      'Type the day you reached the consumer as MM/DD/YYYY. It cannot be before the Referred On date or in the future.',
  });
  sheet.dataValidations.add(range('resolution'), {
    ...common,
    type: 'list',
    formulae: [`${LISTS_SHEET_NAME}!$A$1:$A$${RESOLUTIONS.length}`],
    promptTitle: 'Resolution',
    prompt: 'Pick one resolution from the list.',
    errorTitle: 'Pick a resolution',
    error: 'Resolution must be one of the choices in the drop-down list; click the arrow to pick one.',
  });
  sheet.dataValidations.add(range('comments'), {
    ...common,
    type: 'textLength',
    operator: 'lessThanOrEqual',
    formulae: [COMMENTS_MAX_LENGTH],
    promptTitle: 'Comments (optional)',
    prompt: `Anything that helps explain the outcome, up to ${COMMENTS_MAX_LENGTH} characters.`,
    errorTitle: 'Comments too long',
    error: `Comments can be at most ${COMMENTS_MAX_LENGTH} characters; shorten the text.`,
  });
}

async function addLists(workbook: Workbook): Promise<void> {
  const sheet = workbook.addWorksheet(LISTS_SHEET_NAME, { state: 'hidden' });
  sheet.columns = [{ width: 40 }];
  for (const resolution of RESOLUTIONS) sheet.addRow([resolution]).commit();
  await sheet.protect('', {});
  sheet.commit();
}

async function addIdentity(workbook: Workbook, input: ReportWorkbookInput): Promise<void> {
  const sheet = workbook.addWorksheet(IDENTITY_SHEET_NAME, { state: 'veryHidden' });
  const { identity } = input;
  const pairs: [string, string | number][] = [
    ['reportId', identity.reportId],
    ['organizationId', identity.organizationId],
    ['windowId', identity.windowId],
    ['version', identity.version],
    ['signature', input.signature],
  ];
  for (const pair of pairs) sheet.addRow(pair).commit();
  await sheet.protect('', {});
  sheet.commit();
}

/** A string constant as an Excel formula: "…" with inner quotes doubled. */
function formulaString(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * exceljs's DefinedNames only keeps names that point at cells, and drops anything else from its model. The
 * streaming writer renders whatever `definedNames.model` returns, so the constants are given as that model.
 */
function defineIdentityNames(workbook: Workbook, input: ReportWorkbookInput): void {
  const { identity } = input;
  const model: ExcelJS.DefinedNamesModel = [
    { name: IDENTITY_DEFINED_NAMES.reportId, ranges: [formulaString(identity.reportId)] },
    { name: IDENTITY_DEFINED_NAMES.organizationId, ranges: [formulaString(identity.organizationId)] },
    { name: IDENTITY_DEFINED_NAMES.windowId, ranges: [formulaString(identity.windowId)] },
    { name: IDENTITY_DEFINED_NAMES.signature, ranges: [formulaString(input.signature)] },
  ];
  Object.defineProperty(workbook.definedNames, 'model', { get: () => model });
}
