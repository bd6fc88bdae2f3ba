import { COMMENTS_MAX_LENGTH, RESOLUTIONS, type Outcome } from '../../shared/domain/outcome';
import { excelSerialToIsoDate, parseReportDate } from '../../shared/domain/report-dates';
import {
  isBlankRow,
  reportColumnOfHeader,
  validateReturnedRow,
  type CellValue,
  type ReturnedRow,
} from '../../shared/domain/report-sheet';
import { neutralizeFormulaText } from '../../shared/format/formula-text';

// The referral came in on Wednesday 2017-11-22; the sheet is checked on 2017-12-01.
const CONTEXT = { referredOn: '2017-11-22', today: '2017-12-01' };

const EMPTY: CellValue = { kind: 'empty' };
const FORMULA: CellValue = { kind: 'formula' };
const ERROR: CellValue = { kind: 'error' };
const text = (value: string): CellValue => ({ kind: 'text', text: value });
const num = (value: number): CellValue => ({ kind: 'number', value });
const date = (value: string): CellValue => ({ kind: 'date', date: value });
const bool = (value: boolean): CellValue => ({ kind: 'boolean', value });

type Cells = Partial<Pick<ReturnedRow, 'contactMade' | 'contactDate' | 'resolution' | 'comments'>>;

/** A correctly filled row (contacted on 11/24/2017, enrolled), changed by cells. */
function row(cells: Cells = {}): ReturnedRow {
  return {
    rowNumber: 7,
    referralId: 'ref_01HZX',
    contactMade: text('Y'),
    contactDate: text('11/24/2017'),
    resolution: text('Enrolled in QHP'),
    comments: EMPTY,
    ...cells,
  };
}

function outcomeOf(cells: Cells): Outcome {
  const result = validateReturnedRow(row(cells), CONTEXT);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.problems)}`);
  return result.outcome;
}

function rulesOf(cells: Cells): string[] {
  const result = validateReturnedRow(row(cells), CONTEXT);
  return result.ok ? [] : result.problems.map((problem) => problem.rule);
}

describe('validateReturnedRow accepts what a person means', () => {
  it('returns the outcome of a filled row', () => {
    expect(outcomeOf({ comments: text('  Enrolled in a silver plan.  ') })).toEqual({
      contactMade: true,
      contactDate: '2017-11-24',
      resolution: 'Enrolled in QHP',
      comments: 'Enrolled in a silver plan.',
    });
  });

  it.each([
    ['Y', text('Y'), true],
    ['y', text('y'), true],
    ['Yes', text('Yes'), true],
    [' Y ', text(' Y '), true],
    ['TRUE (a boolean cell)', bool(true), true],
  ])('Contact Made %s means contacted', (_label, contactMade, expected) => {
    expect(outcomeOf({ contactMade }).contactMade).toBe(expected);
  });

  it.each([
    ['N', text('N')],
    ['n', text('n')],
    ['No', text('No')],
    ['FALSE (a boolean cell)', bool(false)],
  ])('Contact Made %s means not contacted', (_label, contactMade) => {
    expect(outcomeOf({ contactMade, contactDate: EMPTY, resolution: text('Unable to contact') })).toEqual({
      contactMade: false,
      resolution: 'Unable to contact',
    });
  });

  it.each([
    ['a date cell', date('2017-11-24')],
    ['an Excel serial number', num(43063)],
    ['a serial with a time of day', num(43063.75)],
    ['11/24/2017', text('11/24/2017')],
    ['11/24/17', text('11/24/17')],
    ['2017-11-24', text('2017-11-24')],
    ['24-Nov-2017', text('24-Nov-2017')],
    ['24-nov-17', text('24-nov-17')],
    [' 11/24/2017 (spaces around)', text(' 11/24/2017 ')],
  ])('Contact Date given as %s', (_label, contactDate) => {
    expect(outcomeOf({ contactDate }).contactDate).toBe('2017-11-24');
  });

  it('accepts a contact on the referral day and on the day the sheet is checked', () => {
    expect(outcomeOf({ contactDate: text('11/22/2017') }).contactDate).toBe('2017-11-22');
    expect(outcomeOf({ contactDate: text('12/01/2017') }).contactDate).toBe('2017-12-01');
  });

  it('matches a resolution whatever its case and spacing, and returns the exact spelling', () => {
    expect(outcomeOf({ resolution: text('  contact MADE   appointment scheduled ') }).resolution).toBe(
      'Contact made appointment scheduled',
    );
  });

  it.each(RESOLUTIONS.map((resolution) => [resolution]))('accepts the resolution %s', (resolution) => {
    expect(outcomeOf({ resolution: text(resolution) }).resolution).toBe(resolution);
  });

  it('allows N with No longer needs assistance', () => {
    const outcome = outcomeOf({
      contactMade: text('N'),
      contactDate: EMPTY,
      resolution: text('No longer needs assistance'),
    });
    expect(outcome.resolution).toBe('No longer needs assistance');
  });

  it(`accepts a comment of exactly ${COMMENTS_MAX_LENGTH} characters`, () => {
    expect(outcomeOf({ comments: text('x'.repeat(COMMENTS_MAX_LENGTH)) }).comments).toHaveLength(COMMENTS_MAX_LENGTH);
  });

  it('takes a number typed in Comments as its text', () => {
    expect(outcomeOf({ comments: num(42) }).comments).toBe('42');
  });
});

describe('validateReturnedRow refuses what breaks a rule', () => {
  it.each<[string, Cells, string]>([
    ['Contact Made empty', { contactMade: EMPTY }, 'contact-made-required'],
    ['Contact Made only spaces', { contactMade: text('   ') }, 'contact-made-required'],
    ['Contact Made "maybe"', { contactMade: text('maybe') }, 'contact-made-y-n'],
    ['Contact Made a number', { contactMade: num(1) }, 'contact-made-y-n'],
    ['Y without a date', { contactDate: EMPTY }, 'contact-date-required'],
    [
      'N with a date',
      { contactMade: text('N'), resolution: text('Unable to contact') },
      'contact-date-without-contact',
    ],
    ['a date that cannot be (13/45/2017)', { contactDate: text('13/45/2017') }, 'contact-date-invalid'],
    ['February 30', { contactDate: text('02/30/2017') }, 'contact-date-invalid'],
    ['words', { contactDate: text('last Tuesday') }, 'contact-date-invalid'],
    ['day-first order (24/11/2017)', { contactDate: text('24/11/2017') }, 'contact-date-invalid'],
    ['a serial that is no date', { contactDate: num(0) }, 'contact-date-invalid'],
    ['TRUE as a date', { contactDate: bool(true) }, 'contact-date-invalid'],
    ['a date before the referral', { contactDate: text('11/21/2017') }, 'contact-date-before-referral'],
    ['a date in the future', { contactDate: text('12/02/2017') }, 'contact-date-in-future'],
    ['Resolution empty', { resolution: EMPTY }, 'resolution-required'],
    ['Resolution not on the list', { resolution: text('Enrolled') }, 'resolution-unknown'],
    ['Resolution a number', { resolution: num(3) }, 'resolution-unknown'],
    [
      'N with a resolution that needs contact',
      { contactMade: text('N'), contactDate: EMPTY, resolution: text('Enrolled in QHP') },
      'resolution-needs-contact',
    ],
    ['a comment too long', { comments: text('x'.repeat(COMMENTS_MAX_LENGTH + 1)) }, 'comments-too-long'],
    ['a formula in Contact Made', { contactMade: FORMULA }, 'formula'],
    ['a formula in Contact Date', { contactDate: FORMULA }, 'formula'],
    ['a formula in Resolution', { resolution: FORMULA }, 'formula'],
    ['a formula in Comments', { comments: FORMULA }, 'formula'],
    ['an error in Contact Date', { contactDate: ERROR }, 'cell-error'],
  ])('%s', (_label, cells, rule) => {
    expect(rulesOf(cells)).toEqual([rule]);
  });

  it('names the column, the row and the referral, and says what to do', () => {
    const result = validateReturnedRow(row({ contactDate: text('11/21/2017') }), CONTEXT);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          rowNumber: 7,
          referralId: 'ref_01HZX',
          column: 'Contact Date',
          rule: 'contact-date-before-referral',
          message: '11/21/2017 is before the referral date, 11/22/2017; check the date.',
        },
      ],
    });
  });

  it('tells a formula to be typed as a value', () => {
    const result = validateReturnedRow(row({ resolution: FORMULA }), CONTEXT);
    expect(!result.ok && result.problems[0]?.message).toBe(
      'The cell holds a formula; formulas are not accepted, type the value.',
    );
  });

  it('suggests the month/day order for a day-first date', () => {
    const result = validateReturnedRow(row({ contactDate: text('24/11/2017') }), CONTEXT);
    expect(!result.ok && result.problems[0]?.message).toBe(
      "'24/11/2017' is not a date: dates are month/day/year, so did you mean 11/24/2017?",
    );
  });

  it('refuses 13/45/2017 with the format to use', () => {
    const result = validateReturnedRow(row({ contactDate: text('13/45/2017') }), CONTEXT);
    expect(!result.ok && result.problems[0]?.message).toBe(
      "'13/45/2017' is not a date; type it as MM/DD/YYYY, like 11/24/2017.",
    );
  });

  it('reports every problem of a row together, each under its own column', () => {
    const result = validateReturnedRow(
      row({
        contactMade: EMPTY,
        contactDate: text('13/45/2017'),
        resolution: text('Enroled in QHP'),
        comments: text('y'.repeat(COMMENTS_MAX_LENGTH + 20)),
      }),
      CONTEXT,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map(({ column, rule }) => [column, rule])).toEqual([
      ['Contact Made (Y/N)', 'contact-made-required'],
      ['Contact Date', 'contact-date-invalid'],
      ['Resolution', 'resolution-unknown'],
      ['Comments', 'comments-too-long'],
    ]);
  });

  it('reports a forbidden resolution and a stray date on the same N row', () => {
    expect(rulesOf({ contactMade: text('N'), resolution: text('Eligible for MA') })).toEqual([
      'contact-date-without-contact',
      'resolution-needs-contact',
    ]);
  });

  it('never echoes the comment itself, which may hold anything', () => {
    const secret = `Called Jane Doe at 612-555-0142 ${'z'.repeat(COMMENTS_MAX_LENGTH)}`;
    const result = validateReturnedRow(row({ comments: text(secret) }), CONTEXT);
    expect(!result.ok && result.problems[0]?.message).not.toContain('Jane');
  });
});

describe('excelSerialToIsoDate', () => {
  it.each([
    [43063, '2017-11-24'],
    [43063.999, '2017-11-24'],
    [1, '1900-01-01'],
    [59, '1900-02-28'],
    // Excel counts a 1900-02-29 that never was (serial 60); the day after it is 1900-03-01.
    [61, '1900-03-01'],
    [2958465, '9999-12-31'],
  ])('%s is %s', (serial, expected) => {
    expect(excelSerialToIsoDate(serial)).toBe(expected);
  });

  it.each([[60], [0], [-1], [2958466], [Number.NaN], [Number.POSITIVE_INFINITY]])('%s is no date', (serial) => {
    expect(excelSerialToIsoDate(serial)).toBeUndefined();
  });
});

describe('parseReportDate', () => {
  it.each([
    ['1/5/2018', '2018-01-05'],
    ['2016-02-29', '2016-02-29'],
    ['5-January-2018', '2018-01-05'],
    ['5 Sept 2018', '2018-09-05'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseReportDate(input)).toBe(expected);
  });

  it.each([['2017-02-29'], ['11/24'], ['11.24.2017'], ['2017/11/24'], ['24-Foo-2017'], ['']])('refuses %s', (input) => {
    expect(parseReportDate(input)).toBeUndefined();
  });
});

describe('isBlankRow', () => {
  const blank = { contactMade: EMPTY, contactDate: EMPTY, resolution: EMPTY, comments: EMPTY };

  it('is true when none of the four cells is filled, spaces included', () => {
    expect(isBlankRow(row(blank))).toBe(true);
    expect(isBlankRow(row({ ...blank, comments: text('  ') }))).toBe(true);
  });

  it.each([['contactMade'], ['contactDate'], ['resolution'], ['comments']] as const)(
    'is false once %s is filled',
    (key) => {
      expect(isBlankRow(row({ ...blank, [key]: text('x') }))).toBe(false);
    },
  );

  it('is false for a formula, which is something, just not accepted', () => {
    expect(isBlankRow(row({ ...blank, resolution: FORMULA }))).toBe(false);
  });
});

describe('reportColumnOfHeader', () => {
  it.each([
    ['Contact Made (Y/N)', 'contactMade'],
    ['  contact   made (y/n) ', 'contactMade'],
    ['Contact Made', 'contactMade'],
    ['REFERRAL ID', 'referralId'],
    ['Reason for Referral', 'reason'],
  ])('%s is the %s column', (header, key) => {
    expect(reportColumnOfHeader(header)).toBe(key);
  });

  it('knows no column the organization added', () => {
    expect(reportColumnOfHeader('Our notes')).toBeUndefined();
  });
});

describe('neutralizeFormulaText', () => {
  it.each([['=1+1'], ['+1'], ['-1'], ['@SUM(A1)'], ['\tcmd'], ['\rcmd'], ['=HYPERLINK("http://evil.example","x")']])(
    'quotes %j so a spreadsheet shows it as text',
    (value) => {
      expect(neutralizeFormulaText(value)).toBe(`'${value}`);
    },
  );

  it.each([['Anna'], [''], ['a=b'], ['612-555-0142']])('leaves %j alone', (value) => {
    expect(neutralizeFormulaText(value)).toBe(value);
  });
});
