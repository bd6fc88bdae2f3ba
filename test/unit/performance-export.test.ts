import JSZip from 'jszip';
import * as XLSX from 'xlsx';
import { computePerformance, type Performance } from '../../shared/domain/performance';
import type { Referral } from '../../shared/domain/referral';
import type { Resolution } from '../../shared/domain/outcome';
import { performanceCsv } from '../../shared/ops/performance-csv';
import { performancePage } from '../../shared/ops/performance-page';
import { PERFORMANCE_SHEETS, performanceWorkbook } from '../../shared/ops/performance-workbook';
import { organization, referral, report, W1, W2, windows } from '../support/performance-fixtures';

/*
 * The exports of one small performance: two OE5 windows, an organization whose name is a spreadsheet formula, one
 * whose name needs CSV quoting, and one whose name is markup.
 */

const FORMULA_NAME = '=HYPERLINK("x")';
const QUOTED_NAME = 'Lakes, Rivers & "Prairie" Navigators';
const MARKUP_NAME = '<script>alert(1)</script> Navigators';

/** A lead of one organization, with its reported outcome if any (the shared performance fixtures' referral). */
const lead = (
  id: string,
  organizationId: string,
  referredAt: string,
  outcome?: { contactDate?: string; resolution: Resolution },
): Referral => referral({ id, organizationId, referredAt, ...outcome });

const performance: Performance = computePerformance({
  windows,
  organizations: [
    organization('formula-org', FORMULA_NAME),
    organization('quoted-org', QUOTED_NAME),
    organization('markup-org', MARKUP_NAME),
  ],
  referrals: [
    // formula-org, W1: 3 leads, 2 contacted within 2 business days, 1 appointment.
    lead('f1', 'formula-org', '2017-11-06T15:00:00Z', {
      contactDate: '2017-11-07',
      resolution: 'Contact made appointment scheduled',
    }),
    lead('f2', 'formula-org', '2017-11-06T15:00:00Z', { contactDate: '2017-11-08', resolution: 'Eligible for MA' }),
    lead('f3', 'formula-org', '2017-11-07T15:00:00Z', { resolution: 'Unable to contact' }),
    // quoted-org, W2: 1 lead, no outcome yet.
    lead('q1', 'quoted-org', '2017-11-20T15:00:00Z'),
    // markup-org, W1: 1 lead, contacted late.
    lead('m1', 'markup-org', '2017-11-06T15:00:00Z', { contactDate: '2017-11-13', resolution: 'Enrolled in QHP' }),
  ],
  reports: [
    report('formula-org', W1, { status: 'complete', lastReceivedAt: '2017-11-28T15:00:00.000Z' }),
    report('markup-org', W1, { status: 'complete', lastReceivedAt: '2017-12-01T15:00:00.000Z' }),
    report('quoted-org', W2, { status: 'sent' }),
  ],
  today: '2017-12-20',
});

/** A strict RFC 4180 reader for the test: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '') {
      i += 1;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quote');
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else if (c === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (c === '\n' || c === '\r' || c === '"') {
      throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
    } else {
      field += c;
      i += 1;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('last record not ended by CRLF');
  return records;
}

describe('performanceCsv', () => {
  const csv = performanceCsv(performance);
  const [header = [], ...rows] = parseCsv(csv);
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`no column ${name}`);
    return index;
  };
  const rowOf = (scope: string, window: string, organization = '') =>
    rows.find(
      (r) =>
        r[column('Scope')] === scope && r[column('Window')] === window && r[column('Organization')] === organization,
    );

  it('is RFC 4180: CRLF line ends, the same number of fields on every line', () => {
    // Assess
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/\n/);
    expect(rows.every((r) => r.length === header.length)).toBe(true);
    expect(new Set(header).size).toBe(header.length);
  });

  it('has a row per organization and window, each window followed by the program, then the program overall', () => {
    // Assess
    expect(rows.map((r) => `${r[column('Scope')]} ${r[column('Window')]} ${r[column('Organization ID')]}`)).toEqual([
      // By name, as code points: '<' sorts before '='.
      `Organization ${W1} markup-org`,
      `Organization ${W1} formula-org`,
      `Organization ${W1} quoted-org`,
      `Program ${W1} `,
      `Organization ${W2} markup-org`,
      `Organization ${W2} formula-org`,
      `Organization ${W2} quoted-org`,
      `Program ${W2} `,
      'Program All windows ',
    ]);
  });

  it('neutralizes a name that is a formula, so a spreadsheet shows it as text', () => {
    // Assess: the raw field starts with a quote character inside the CSV quoting, never with "=".
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).not.toMatch(/(^|,)=/m);
    expect(rowOf('Organization', W1, `'${FORMULA_NAME}`)).toBeDefined();
  });

  it('quotes fields with commas and quotes, doubling the quotes', () => {
    // Assess
    expect(csv).toContain('"Lakes, Rivers & ""Prairie"" Navigators"');
    expect(rowOf('Organization', W2, QUOTED_NAME)?.[column('Report')]).toBe('Not returned');
  });

  it('carries the figures: counts beside percentages, empty percentages where there were no leads', () => {
    // Act
    const formulaW1 = rowOf('Organization', W1, `'${FORMULA_NAME}`) ?? [];
    const formulaW2 = rowOf('Organization', W2, `'${FORMULA_NAME}`) ?? [];
    const programAll = rowOf('Program', 'All windows') ?? [];

    // Assess
    expect(formulaW1[column('Leads')]).toBe('3');
    expect(formulaW1[column('Contacted within 2 business days')]).toBe('2');
    expect(formulaW1[column('Contacted within 2 business days (%)')]).toBe('66.7');
    expect(formulaW1[column('Appointment scheduled (%)')]).toBe('33.3');
    expect(formulaW1[column('Unable to contact')]).toBe('1');
    expect(formulaW1[column('Eligible for MA')]).toBe('1');
    expect(formulaW1[column('No outcome yet')]).toBe('0');
    expect(formulaW1[column('Report')]).toBe('Returned on time');
    expect(formulaW1[column('Received on')]).toBe('2017-11-28');
    expect(formulaW1[column('Overdue')]).toBe('N');
    expect(formulaW2[column('Leads')]).toBe('0');
    expect(formulaW2[column('Contacted within 2 business days (%)')]).toBe('');
    expect(formulaW2[column('Report')]).toBe('');
    expect(programAll[column('Leads')]).toBe('5');
    expect(programAll[column('Contacted within 2 business days (%)')]).toBe('40.0');
    expect(programAll[column('Reports sent')]).toBe('3');
    expect(programAll[column('Reports late')]).toBe('1');
    expect(programAll[column('Reports overdue')]).toBe('1');
    expect(programAll[column('Window start')]).toBe('2017-11-01');
    expect(programAll[column('Window end')]).toBe('2017-11-29');
  });

  it('neutralizes every formula trigger: + - @ tab', () => {
    // Prepare
    const hostile = ['+1 Navigators', '-1 Navigators', '@Home Navigators', '\tTab Navigators'];
    const p = computePerformance({
      windows,
      // The directory trims names; a tab could still arrive from older data, so build these past the schema.
      organizations: hostile.map((name, i) => ({ ...organization(`org-${i}`, 'x'), name })),
      referrals: [],
      reports: [],
    });

    // Act
    const names = parseCsv(performanceCsv(p))
      .slice(1)
      .map((r) => r[6])
      .filter((name) => name !== '');

    // Assess
    expect(new Set(names)).toEqual(new Set(hostile.map((name) => `'${name}`)));
  });
});

describe('performanceWorkbook', () => {
  let book: XLSX.WorkBook;
  let zip: JSZip;

  beforeAll(async () => {
    const file = await performanceWorkbook(performance);
    book = XLSX.read(file, { type: 'buffer', cellNF: true });
    zip = await JSZip.loadAsync(file);
  });

  function sheet(name: string): XLSX.WorkSheet {
    const found = book.Sheets[name];
    if (!found) throw new Error(`no sheet ${name}`);
    return found;
  }

  function rowsOf(name: string): Record<string, unknown>[] {
    return XLSX.utils.sheet_to_json<Record<string, unknown>>(sheet(name));
  }

  it('has a sheet per view', () => {
    // Assess
    expect(book.SheetNames).toEqual(['By organization', 'By window', 'Program']);
    expect(Object.values(PERFORMANCE_SHEETS)).toEqual(book.SheetNames);
  });

  it('has the figures, read back by a second reader', () => {
    // Act
    const byWindow = rowsOf('By window');
    const formulaW1 = byWindow.find((r) => r.Window === W1 && r['Organization ID'] === 'formula-org');
    const program = rowsOf('Program');

    // Assess
    expect(byWindow).toHaveLength(6);
    expect(formulaW1).toMatchObject({
      Organization: FORMULA_NAME,
      Leads: 3,
      Report: 'Returned on time',
      'Contacted within 2 business days': 2,
      'Contact made appointment scheduled': 1,
      'Unable to contact': 1,
      'Eligible for MA': 1,
    });
    expect(formulaW1?.['Contacted within 2 business days (%)']).toBeCloseTo(2 / 3, 10);
    expect(program.map((r) => r.Window)).toEqual([W1, W2, 'All windows']);
    expect(program[2]).toMatchObject({ Leads: 5, 'Reports sent': 3, 'Reports late': 1 });
    expect(rowsOf('By organization').map((r) => [r['Organization ID'], r.Leads])).toEqual([
      ['markup-org', 1],
      ['formula-org', 3],
      ['quoted-org', 1],
    ]);
  });

  it('keeps a formula-like name an inert string cell, percentages formatted as %', () => {
    // Act
    const ws = sheet('By window');
    const range = XLSX.utils.decode_range(ws['!ref'] ?? 'A1');
    const cells = [];
    for (let r = range.s.r; r <= range.e.r; r += 1) {
      for (let c = range.s.c; c <= range.e.c; c += 1) {
        const cell = ws[XLSX.utils.encode_cell({ r, c })] as XLSX.CellObject | undefined;
        if (cell) cells.push(cell);
      }
    }
    const nameCell = cells.find((cell) => cell.v === FORMULA_NAME);
    const percentCells = cells.filter((cell) => cell.z === '0.0%');

    // Assess
    expect(nameCell).toMatchObject({ t: 's', v: FORMULA_NAME });
    expect(cells.some((cell) => cell.f !== undefined)).toBe(false);
    expect(percentCells.length).toBeGreaterThan(0);
    expect(percentCells.every((cell) => cell.t === 'n')).toBe(true);
  });

  it('freezes the header row and sets column widths on every sheet', async () => {
    // Act
    const sheetXml = await Promise.all(
      [1, 2, 3].map((n) => zip.file(`xl/worksheets/sheet${n}.xml`)?.async('string') ?? ''),
    );

    // Assess
    for (const xml of sheetXml) {
      expect(xml).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
      expect(xml).toMatch(/<col [^>]*width="/);
    }
  });
});

describe('performancePage', () => {
  const html = performancePage(performance, { title: 'PAL performance <OE5>' });

  it('is a self-contained page: no scripts, no external files', () => {
    // Assess
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link|src=|href=/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
  });

  it('escapes text: an organization named with markup shows as text', () => {
    // Assess (the page escapes with shared/format/html.ts, as numeric character references)
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; Navigators');
    expect(html).toContain('<title>PAL performance &#60;OE5&#62;</title>');
    expect(html).toContain('Lakes, Rivers &#38; &#34;Prairie&#34; Navigators');
  });

  it('has a captioned table with headers for the program, each window and each organization', () => {
    // Assess
    expect(html.match(/<table>/g)).toHaveLength(windows.length + 2);
    expect(html.match(/<caption>/g)).toHaveLength(windows.length + 2);
    expect(html).toContain('<th scope="col">Organization</th>');
    expect(html).toContain('<th scope="row">=HYPERLINK(&#34;x&#34;)</th>');
    expect(html).toContain(
      '<caption>Referrals sent Nov 1, 2017 – Nov 15, 2017: report sent Nov 22, 2017, due Nov 29, 2017</caption>',
    );
    expect(html).toContain('<td class="num">2 of 3 (67%)</td>');
  });

  it('has labelled SVG bar charts', () => {
    // Act
    const charts = html.match(/<svg [^>]*>/g) ?? [];

    // Assess
    expect(charts.length).toBeGreaterThanOrEqual(3);
    for (const chart of charts) {
      expect(chart).toContain('role="img"');
      expect(chart).toMatch(/aria-label="[^"]+"/);
    }
    expect(html).toContain('aria-label="Share of leads contacted within 2 business days, Nov 1, 2017 – Nov 15, 2017"');
    expect(html).toContain('aria-label="Resolution of leads by organization, Nov 1, 2017 – Nov 15, 2017"');
  });
});
