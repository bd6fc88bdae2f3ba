import ExcelJS from 'exceljs';
import fc from 'fast-check';
import type { CellValue, ReportIdentity, ReportRow, ReturnedRow } from '../../shared/domain/report-sheet';
import { RESOLUTIONS } from '../../shared/domain/outcome';
import { REPORT_COLUMNS, validateReturnedRow } from '../../shared/domain/report-sheet';
import { signReportIdentity } from '../../shared/domain/report-signature';
import { readReturnedWorkbook } from '../../shared/reports/report-reader';
import { buildReportWorkbook } from '../../shared/reports/report-workbook';
import { inspectXlsx } from '../../shared/reports/xlsx-safety';

/*
 * Ingest never throws an unhandled error, whatever an organization puts in its cells or whatever
 * bytes arrive as a "spreadsheet". Property-based (fast-check), bounded and seeded: the seed is
 * printed, and PAL_TEST_SEED=<seed> repeats a run.
 *
 * 1. Cells: our report, filled with exceljs's ordinary (non-streaming) workbook, the organization's
 *    four cells of each row set to arbitrary values — strings a spreadsheet would take for formulas
 *    ('=…', '+1', '-2', '@SUM(A1)', tab or CR first), unicode, huge strings, numbers (negative,
 *    huge, non-finite, date serials), dates, booleans, rich text, hyperlinks, formulas, errors. Then
 *    readReturnedWorkbook and validateReturnedRow on every row: neither throws; each cell reads as its
 *    plain value (rich text and hyperlinks reduced to text, formulas as formulas, never evaluated);
 *    every refusal names a column of the report and a rule; a formula is never accepted.
 * 2. Bytes: random bytes, and a real report with bytes flipped, cut or spliced, through inspectXlsx and
 *    readReturnedWorkbook: neither throws nor hangs (each case must finish within a bound).
 */
const seed = (() => {
  const fromEnv = Number(process.env.PAL_TEST_SEED);
  const value =
    Number.isSafeInteger(fromEnv) && process.env.PAL_TEST_SEED ? fromEnv : Math.floor(Math.random() * 2 ** 31);
  console.log(`sheet properties: seed ${value} (repeat with PAL_TEST_SEED=${value})`);
  return value;
})();

const SECRET = Buffer.alloc(32, 9);
const IDENTITY: ReportIdentity = {
  reportId: '2017-11-01_2017-11-15.org-props',
  organizationId: 'org-props',
  windowId: '2017-11-01_2017-11-15',
  version: 1,
};
const ROWS: ReportRow[] = ['a', 'b', 'c'].map((suffix) => ({
  referralId: `ref_${suffix.repeat(26)}`,
  referredOn: '2017-11-02',
  consumerName: `Consumer ${suffix}`,
  phone: '(612) 555-0142',
  countyName: 'Hennepin',
  assisterType: 'navigator',
  reason: 'Renewal',
}));
const ORGANIZATION_KEYS = ['contactMade', 'contactDate', 'resolution', 'comments'] as const;
type OrganizationKey = (typeof ORGANIZATION_KEYS)[number];
const columnOf = (key: OrganizationKey) => REPORT_COLUMNS.findIndex((c) => c.key === key) + 1;
const HEADERS = new Set(REPORT_COLUMNS.map((c) => c.header));

let report: Buffer;
beforeAll(async () => {
  report = await buildReportWorkbook({
    identity: IDENTITY,
    signature: signReportIdentity(IDENTITY, SECRET),
    organizationName: 'Property Test Navigators',
    window: { start: '2017-11-01', end: '2017-11-15', sendDate: '2017-11-22', dueDate: '2017-11-29' },
    programContact: 'assisterleads@mnsure.org',
    returnInstructions: { replyTo: 'reports@pal.example.org' },
    rows: ROWS,
    generatedAt: new Date('2017-11-22T14:00:00Z'),
  });
});

/** Resolves with the work's result, or rejects once it takes longer than ms: "never hangs", made testable. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------------------------------------------------------------
// 1. Arbitrary cell values

const FORMULA_LIKE = [
  '=1+1',
  '+1',
  '-2',
  '@SUM(A1)',
  '\tx',
  '\rx',
  '=HYPERLINK("http://evil.example","Y")',
  "=cmd|' /C calc'!A0",
];
const MEANINGFUL = [
  'Y',
  'n',
  ' yes ',
  'Enrolled in QHP',
  ' eligible for ma ',
  'Unable to contact',
  '11/20/2017',
  '2017-11-20',
  '24/11/2017',
  '02/30/2017',
  '20-Nov-2017',
  'Nov 20',
  '',
  '   ',
];
const ODD_TEXT = [
  'ß',
  'Ñandú',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\u202eevil',
  '<v>1</v>',
  ']]>',
  '&amp;',
  '"quoted"',
  // Over the 500 a comment may hold, under the 32 KB cap past which the whole file is refused (sheet-caps.test.ts).
  'x'.repeat(32_000),
  'é'.repeat(501),
];

const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FORMULA_LIKE, ...MEANINGFUL, ...ODD_TEXT) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
);
const number = fc.oneof(
  fc.constantFrom(0, -1, 1, 60, 43059, 43064, 43065, 2_958_465, 2_958_466, -43064, 1e308, -1e308, 0.5, 43064.99),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const date = fc.date({
  min: new Date('1900-03-01T00:00:00Z'),
  max: new Date('9999-12-31T00:00:00Z'),
  noInvalidDate: true,
});

/** What we put in a cell, and what reading it back must give (undefined: any plain value will do). */
interface Generated {
  value: ExcelJS.CellValue;
  expected?: CellValue['kind'];
  expectedText?: string;
}

const plain = (s: string): Pick<Generated, 'expected' | 'expectedText'> =>
  s.trim() === '' ? { expected: 'empty' } : { expected: 'text', expectedText: s };

const cell: fc.Arbitrary<Generated> = fc.oneof(
  text.map((s) => ({ value: s, ...plain(s) })),
  number.map((n) => ({ value: n, expected: 'number' as const })),
  fc.boolean().map((b) => ({ value: b, expected: 'boolean' as const })),
  date.map((d) => ({ value: d })),
  fc.constant({ value: null, expected: 'empty' as const }),
  fc.array(text, { minLength: 1, maxLength: 4 }).map((runs) => ({
    value: { richText: runs.map((t, i) => ({ text: t, ...(i % 2 === 0 && { font: { bold: true } }) })) },
    ...plain(runs.join('')),
  })),
  // (exceljs writes a hyperlink without text as the JSON of the value: not a cell any program would write)
  fc
    .tuple(
      text.filter((t) => t !== ''),
      fc.webUrl(),
    )
    .map(([t, url]) => ({ value: { text: t, hyperlink: url }, ...plain(t) })),
  fc
    .tuple(fc.constantFrom('TODAY()', '1+1', 'IF(TRUE,"Y","N")', 'HYPERLINK("http://evil.example","Y")', 'A1'), text)
    .map(([formula, result]) => ({
      value: { formula, result } as ExcelJS.CellFormulaValue,
      expected: 'formula' as const,
    })),
  fc
    .constantFrom('#N/A', '#VALUE!', '#REF!', '#DIV/0!')
    .map((error) => ({ value: { error } as ExcelJS.CellErrorValue, expected: 'error' as const })),
);

type Fill = Record<OrganizationKey, Generated>;
const rowFill: fc.Arbitrary<Fill> = fc.record({
  contactMade: cell,
  // Contact Date is formatted as a date: half its values are serial numbers, in and around the range dates can take.
  contactDate: fc.oneof(
    cell,
    fc.integer({ min: -1_000_000, max: 4_000_000 }).map((n) => ({ value: n, expected: 'number' as const })),
  ),
  resolution: cell,
  comments: cell,
});

async function filled(fills: readonly Fill[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(report as unknown as ExcelJS.Buffer);
  const sheet = workbook.getWorksheet('Referrals')!;
  fills.forEach((fill, i) => {
    for (const key of ORGANIZATION_KEYS) sheet.getRow(i + 2).getCell(columnOf(key)).value = fill[key].value;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** XML keeps no CR in text (it reads CR LF and a lone CR as LF), nor most control characters. */
const xmlText = (s: string) => s.replace(/\r\n?/g, '\n');

function expectReadAsWritten(read: CellValue, generated: Generated, key: OrganizationKey): void {
  if (generated.expected === undefined) {
    expect(['date', 'number']).toContain(read.kind);
    return;
  }
  if (key === 'contactDate' && generated.expected === 'number') {
    // The Contact Date column is formatted as a date: a number typed there reads as the date it shows.
    expect(['date', 'number', 'error']).toContain(read.kind);
    return;
  }
  expect(read.kind).toBe(generated.expected);
  if (read.kind === 'text') expect(xmlText(read.text)).toBe(xmlText(generated.expectedText!));
  if (read.kind === 'number') expect(read.value).toBe(Object.is(generated.value, -0) ? 0 : generated.value);
}

const today = '2017-11-27';

describe('readReturnedWorkbook and validateReturnedRow, on arbitrary cell values', () => {
  it('never throw; read each cell as its plain value; name a column and a rule for every refusal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowFill, { minLength: 1, maxLength: 3 }), async (fills) => {
        const file = await filled(fills);

        const workbook = await within(10_000, readReturnedWorkbook(file));

        for (const problem of workbook.problems) {
          expect(problem.rule).toEqual(expect.stringMatching(/\S/));
          expect(problem.message).toEqual(expect.stringMatching(/\S/));
        }
        expect(workbook.problems).toEqual([]);
        expect(workbook.rows.map((r) => r.referralId)).toEqual(ROWS.map((r) => r.referralId));
        workbook.rows.forEach((row: ReturnedRow, i) => {
          const fill = fills[i];
          for (const key of ORGANIZATION_KEYS) {
            if (fill) expectReadAsWritten(row[key], fill[key], key);
            else expect(row[key]).toEqual({ kind: 'empty' });
          }
          const checked = validateReturnedRow(row, { referredOn: '2017-11-02', today });
          if (checked.ok) {
            expect(RESOLUTIONS).toContain(checked.outcome.resolution);
            expect(ORGANIZATION_KEYS.some((key) => row[key].kind === 'formula')).toBe(false);
          } else {
            for (const problem of checked.problems) {
              expect(HEADERS).toContain(problem.column);
              expect(problem.rule).toEqual(expect.stringMatching(/^[a-z-]+$/));
              expect(problem.rowNumber).toBe(row.rowNumber);
              expect(problem.referralId).toBe(row.referralId);
            }
            for (const key of ORGANIZATION_KEYS) {
              if (row[key].kind !== 'formula') continue;
              const header = REPORT_COLUMNS.find((c) => c.key === key)!.header;
              expect(checked.problems).toContainEqual(expect.objectContaining({ column: header, rule: 'formula' }));
            }
          }
        });
      }),
      { seed, numRuns: 80 },
    );
  }, 120_000);
});

// ------------------------------------------------------------------------------------------------------------
// 2. Arbitrary bytes

type Damage =
  | { kind: 'flip'; at: number[]; bits: number[] }
  | { kind: 'cut'; at: number }
  | { kind: 'splice'; at: number; bytes: Uint8Array }
  | { kind: 'zero'; at: number; length: number };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc
      .array(
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }).map((f) => f),
        { minLength: 1, maxLength: 16 },
      )
      .map((fs) => fs.map((f) => Math.floor(f * 1e9))),
    bits: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 16, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
  fc.record({ kind: fc.constant('zero' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 512 }) }),
);

function damaged(original: Buffer, d: Damage): Buffer {
  const bytes = Buffer.from(original);
  // An earlier cut may have left nothing to damage further (and `% 0` is NaN).
  if (bytes.length === 0) return bytes;
  switch (d.kind) {
    case 'flip':
      d.at.forEach((at, i) => {
        const index = at % bytes.length;
        bytes[index] = bytes[index]! ^ d.bits[i]!;
      });
      return bytes;
    case 'cut':
      return bytes.subarray(0, d.at % bytes.length);
    case 'splice': {
      const at = d.at % bytes.length;
      return Buffer.concat([bytes.subarray(0, at), d.bytes, bytes.subarray(at)]);
    }
    case 'zero': {
      const at = d.at % bytes.length;
      bytes.fill(0, at, Math.min(bytes.length, at + d.length));
      return bytes;
    }
  }
}

async function expectHandled(bytes: Buffer): Promise<void> {
  const inspection = inspectXlsx(bytes);
  if (!inspection.ok) {
    expect(inspection.rule).toEqual(expect.stringMatching(/\S/));
    expect(inspection.message).toEqual(expect.stringMatching(/\S/));
  }
  const workbook = await within(10_000, readReturnedWorkbook(bytes));
  for (const problem of workbook.problems) {
    expect(problem.rule).toEqual(expect.stringMatching(/\S/));
    expect(problem.message).toEqual(expect.stringMatching(/\S/));
  }
  if (!inspection.ok) expect(workbook.problems.length).toBeGreaterThan(0);
}

describe('inspectXlsx and readReturnedWorkbook, on arbitrary bytes', () => {
  it('never throw nor hang on random bytes, with or without a zip signature', async () => {
    const prefix = fc.constantFrom(
      Buffer.alloc(0),
      Buffer.from('504b0304', 'hex'),
      Buffer.from('d0cf11e0a1b11ae1', 'hex'),
    );
    await fc.assert(
      fc.asyncProperty(prefix, fc.uint8Array({ maxLength: 4096 }), async (head, body) => {
        await expectHandled(Buffer.concat([head, body]));
      }),
      { seed, numRuns: 150, endOnFailure: true },
    );
  }, 60_000);

  it('never throw nor hang on a real report with bytes flipped, cut, spliced or zeroed', async () => {
    const returned = await filled([
      {
        contactMade: { value: 'Y' },
        contactDate: { value: '11/20/2017' },
        resolution: { value: 'Enrolled in QHP' },
        comments: { value: 'Enrolled by phone' },
      },
    ]);
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 3 }), async (damages) => {
        await expectHandled(damages.reduce(damaged, returned));
      }),
      { seed, numRuns: 150, endOnFailure: true },
    );
  }, 120_000);
});

describe('a Contact Date no spreadsheet date can be (what the property above found)', () => {
  // Typed into the date-formatted Contact Date column, these serials read back as dates in year 10000 and year 99.
  it.each([
    ['one day after 9999-12-31 (serial 2958466)', 2_958_466],
    ['in year 99 (serial -657435)', -657_435],
  ])('%s is refused with the row, not thrown', async (_label, serial) => {
    const file = await filled([
      {
        contactMade: { value: 'Y' },
        contactDate: { value: serial },
        resolution: { value: 'Enrolled in QHP' },
        comments: { value: null },
      },
    ]);
    const workbook = await readReturnedWorkbook(file);
    const row = workbook.rows[0]!;

    const check = () => validateReturnedRow(row, { referredOn: '2017-11-02', today });

    expect(check).not.toThrow();
    expect(check()).toMatchObject({ ok: false, problems: [expect.objectContaining({ column: 'Contact Date' })] });
  });
});
