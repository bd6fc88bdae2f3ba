import { Writable } from 'node:stream';
import JSZip from 'jszip';
import * as XLSX from 'xlsx';
import { RESOLUTIONS } from '../../shared/domain/outcome';
import type { ReportIdentity, ReportRow } from '../../shared/domain/report-sheet';
import { signReportIdentity, verifyReportIdentity } from '../../shared/domain/report-signature';
import {
  buildReportWorkbook,
  writeReportWorkbook,
  type ReportWorkbookInput,
} from '../../shared/reports/report-workbook';

/*
 * The report is written with exceljs and read back with a second, independent reader (SheetJS), and for what SheetJS
 * does not parse (data validations, protection, panes) straight from the sheet XML.
 */

const SECRET = Buffer.alloc(32, 7);
const IDENTITY: ReportIdentity = {
  reportId: 'rep_01HZY3',
  organizationId: 'org_twin_cities',
  windowId: '2017-11-01_2017-11-15',
  version: 1,
};

const HOSTILE_NAMES = [
  '=HYPERLINK("http://evil.example","x")',
  "+1+cmd|' /C calc'!A0",
  '-2+3',
  '@SUM(1,2)',
  '\tTabbed Name',
];

function referrals(count: number): ReportRow[] {
  return Array.from({ length: count }, (_, i) => ({
    referralId: `ref_${String(i + 1).padStart(3, '0')}`,
    referredOn: `2017-11-${String(1 + (i % 15)).padStart(2, '0')}`,
    consumerName: HOSTILE_NAMES[i] ?? `Consumer ${i + 1} Peña`,
    phone: `(612) 555-${String(100 + i).padStart(4, '0')}`,
    countyName: i % 2 ? 'Ramsey' : 'Hennepin',
    assisterType: i % 3 ? 'navigator' : 'broker',
    reason: `Needs help with renewal & application #${i + 1}`,
  }));
}

function input(rows: ReportWorkbookInput['rows'], extra: Partial<ReportWorkbookInput> = {}): ReportWorkbookInput {
  return {
    identity: IDENTITY,
    signature: signReportIdentity(IDENTITY, SECRET),
    organizationName: 'Twin Cities Health Navigators',
    window: { start: '2017-11-01', end: '2017-11-15', sendDate: '2017-11-22', dueDate: '2017-11-29' },
    programContact: 'assisterleads@mnsure.org',
    returnInstructions: { uploadUrl: 'https://pal.example.org/upload/abc123', replyTo: 'reports@pal.example.org' },
    rows,
    generatedAt: new Date('2017-11-22T14:00:00Z'),
    ...extra,
  };
}

const ROWS = referrals(25);

function sheetRows(sheet: XLSX.WorkSheet): unknown[][] {
  return XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: true, defval: null });
}

/** The XML of a sheet by its name, found through workbook.xml and its relationships as any reader would. */
async function sheetXml(zip: JSZip, name: string): Promise<string> {
  const workbook = (await zip.file('xl/workbook.xml')?.async('string')) ?? '';
  const rels = (await zip.file('xl/_rels/workbook.xml.rels')?.async('string')) ?? '';
  const id = new RegExp(`<sheet [^>]*name="${name}"[^>]*r:id="([^"]+)"`).exec(workbook)?.[1];
  const target =
    new RegExp(`<Relationship [^>]*Id="${id}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ??
    new RegExp(`<Relationship [^>]*Target="([^"]+)"[^>]*Id="${id}"`).exec(rels)?.[1];
  return (await zip.file(`xl/${target}`)?.async('string')) ?? '';
}

function unescapeXml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

interface Validation {
  attributes: Record<string, string>;
  formula1: string;
}

function dataValidations(xml: string): Validation[] {
  return [...xml.matchAll(/<dataValidation ([^>]*)>([\s\S]*?)<\/dataValidation>/g)].map((match) => ({
    attributes: Object.fromEntries(
      [...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1] ?? '', unescapeXml(a[2] ?? '')]),
    ),
    formula1: unescapeXml(/<formula1>([\s\S]*?)<\/formula1>/.exec(match[2] ?? '')?.[1] ?? ''),
  }));
}

describe('the report workbook, read back by SheetJS', () => {
  let buffer: Buffer;
  let book: XLSX.WorkBook;
  let zip: JSZip;

  beforeAll(async () => {
    buffer = await buildReportWorkbook(input(ROWS));
    book = XLSX.read(buffer, { type: 'buffer', cellStyles: true, bookVBA: false });
    zip = await JSZip.loadAsync(buffer);
  });

  function sheet(name: string): XLSX.WorkSheet {
    const found = book.Sheets[name];
    if (!found) throw new Error(`no sheet ${name}`);
    return found;
  }

  it('has the Instructions sheet first and active, then Referrals, Lists and PAL', () => {
    expect(book.SheetNames).toEqual(['Instructions', 'Referrals', 'Lists', 'PAL']);
    // SheetJS parses the workbook view but leaves it out of its typings.
    const views = (book.Workbook as { WBView?: { activeTab?: number }[] } | undefined)?.WBView;
    expect(views?.[0]).toMatchObject({ activeTab: 0 });
  });

  it('hides Lists and makes PAL very hidden, so nobody stumbles on them', () => {
    const states = Object.fromEntries((book.Workbook?.Sheets ?? []).map((s) => [s.name, s.Hidden]));
    expect(states).toEqual({ Instructions: 0, Referrals: 0, Lists: 1, PAL: 2 });
  });

  it('writes the header row exactly', () => {
    expect(sheetRows(sheet('Referrals'))[0]).toEqual([
      'Referral ID',
      'Referred On',
      'Consumer Name',
      'Phone',
      'County',
      'Assister Type',
      'Reason for Referral',
      'Contact Made (Y/N)',
      'Contact Date',
      'Resolution',
      'Comments',
    ]);
  });

  it("writes every referral, in order, with the organization's cells empty", () => {
    const rows = sheetRows(sheet('Referrals')).slice(1);
    expect(rows).toHaveLength(ROWS.length);
    rows.forEach((row, i) => {
      const referral = ROWS[i]!;
      expect([row[0], ...row.slice(2)]).toEqual([
        referral.referralId,
        referral.consumerName,
        referral.phone,
        referral.countyName,
        referral.assisterType === 'navigator' ? 'Navigator' : 'Broker',
        referral.reason,
        null,
        null,
        null,
        null,
      ]);
    });
  });

  it('writes Referred On as a real date cell, on the right day', () => {
    const referrals = sheet('Referrals');
    ROWS.forEach((referral, i) => {
      const cell = referrals[`B${i + 2}`] as XLSX.CellObject;
      expect(cell.t).toBe('n');
      expect(XLSX.SSF.is_date(String(cell.z))).toBe(true);
      const { y, m, d } = XLSX.SSF.parse_date_code(Number(cell.v));
      expect(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`).toBe(referral.referredOn);
    });
  });

  it.each(HOSTILE_NAMES.map((name, i) => [name, i]))(
    'writes the name %j as a plain string, never a formula',
    (name, i) => {
      const cell = sheet('Referrals')[`C${Number(i) + 2}`] as XLSX.CellObject;
      expect(cell.t).toBe('s');
      expect(cell.f).toBeUndefined();
      expect(cell.v).toBe(name);
    },
  );

  it('writes no formula anywhere in the sheet XML', async () => {
    expect(await sheetXml(zip, 'Referrals')).not.toMatch(/<f[ >]/);
  });

  it('sets the column widths of the layout', () => {
    const widths = (sheet('Referrals')['!cols'] ?? []).map((col) => col?.width);
    expect(widths).toEqual([32, 13, 28, 16, 16, 14, 40, 12, 14, 38, 60]);
  });

  it('puts an autofilter on the header over every row', () => {
    expect(sheet('Referrals')['!autofilter']).toEqual({ ref: `A1:K${ROWS.length + 1}` });
  });

  it('freezes the header row', async () => {
    expect(await sheetXml(zip, 'Referrals')).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
  });

  it('lists the nine resolutions, exactly, in Lists!A1:A9', () => {
    expect(sheetRows(sheet('Lists')).map((row) => row[0])).toEqual([...RESOLUTIONS]);
  });

  it('validates each of the four columns with one rule over the whole range', async () => {
    const last = ROWS.length + 1;
    const rules = dataValidations(await sheetXml(zip, 'Referrals'));
    expect(
      rules.map((rule) => [rule.attributes.sqref, rule.attributes.type, rule.attributes.operator, rule.formula1]),
    ).toEqual([
      [`H2:H${last}`, 'list', undefined, '"Y,N"'],
      [`I2:I${last}`, 'custom', undefined, 'AND(ISNUMBER(I2),I2>=B2,I2<=TODAY())'],
      [`J2:J${last}`, 'list', undefined, 'Lists!$A$1:$A$9'],
      [`K2:K${last}`, 'textLength', 'lessThanOrEqual', '500'],
    ]);
  });

  it('stops a wrong entry with an alert a person understands', async () => {
    const rules = dataValidations(await sheetXml(zip, 'Referrals'));
    for (const rule of rules) {
      expect(rule.attributes).toMatchObject({ showErrorMessage: '1', errorStyle: 'stop', allowBlank: '1' });
      expect(rule.attributes.errorTitle?.length).toBeGreaterThan(0);
      expect(rule.attributes.errorTitle?.length).toBeLessThanOrEqual(32);
      expect(rule.attributes.error?.length).toBeLessThanOrEqual(255);
    }
    expect(rules[2]?.attributes.error).toMatch(/drop-down list/);
    expect(rules[1]?.attributes.error).toContain('cannot be before the Referred On date or in the future');
  });

  it('lets a late report take a Contact Date after the due date, as ingest does (only the future is refused)', async () => {
    const rules = dataValidations(await sheetXml(zip, 'Referrals'));
    const contactDate = rules.find((rule) => rule.attributes.sqref?.startsWith('I2'));
    expect(contactDate?.formula1).toBe('AND(ISNUMBER(I2),I2>=B2,I2<=TODAY())');
    expect(contactDate?.attributes.error).not.toContain('due date');
    const instructions = sheetRows(sheet('Instructions')).flat().join('\n');
    expect(instructions).toContain("Contact Date cannot be before the referral's Referred On date, nor in the future.");
  });

  it('protects the Referrals sheet but lets people select, sort, filter and resize columns', async () => {
    const protection = /<sheetProtection ([^>]*)\/>/.exec(await sheetXml(zip, 'Referrals'))?.[1] ?? '';
    expect(protection).toContain('sheet="1"');
    expect(protection).toContain('sort="0"');
    expect(protection).toContain('autoFilter="0"');
    expect(protection).toContain('formatColumns="0"');
    expect(protection).not.toContain('selectLockedCells="1"');
    expect(protection).not.toContain('hashValue');
  });

  it("unlocks the organization's four cells on every referral row, and only those", async () => {
    const xml = await sheetXml(zip, 'Referrals');
    const styles = (await zip.file('xl/styles.xml')?.async('string')) ?? '';
    const xfs = [
      ...(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? '').matchAll(/<xf [^>]*?(?:\/>|>[\s\S]*?<\/xf>)/g),
    ].map((match) => match[0]);
    const unlocked = (ref: string): boolean => {
      const style = Number(new RegExp(`<c r="${ref}"(?: s="(\\d+)")?`).exec(xml)?.[1] ?? 0);
      return /<protection locked="0"\/>/.test(xfs[style] ?? '');
    };
    for (let row = 2; row <= ROWS.length + 1; row += 1) {
      expect(['H', 'I', 'J', 'K'].map((column) => unlocked(`${column}${row}`))).toEqual([true, true, true, true]);
      expect(['A', 'B', 'C', 'G'].map((column) => unlocked(`${column}${row}`))).toEqual([false, false, false, false]);
    }
    expect(unlocked('H1')).toBe(false);
  });

  it('carries the identifier and its signature on the PAL sheet', () => {
    expect(sheetRows(sheet('PAL'))).toEqual([
      ['reportId', IDENTITY.reportId],
      ['organizationId', IDENTITY.organizationId],
      ['windowId', IDENTITY.windowId],
      ['version', 1],
      ['signature', signReportIdentity(IDENTITY, SECRET)],
    ]);
  });

  it('carries the identifier as workbook names too, as string constants', () => {
    const names = Object.fromEntries((book.Workbook?.Names ?? []).map((name) => [name.Name, name.Ref]));
    expect(names).toEqual({
      PAL_REPORT_ID: `"${IDENTITY.reportId}"`,
      PAL_ORGANIZATION_ID: `"${IDENTITY.organizationId}"`,
      PAL_WINDOW_ID: `"${IDENTITY.windowId}"`,
      PAL_SIGNATURE: `"${signReportIdentity(IDENTITY, SECRET)}"`,
    });
  });

  it('explains the report on the Instructions sheet', () => {
    const textOf = sheetRows(sheet('Instructions'))
      .flat()
      .filter((value): value is string => typeof value === 'string')
      .join('\n');
    expect(textOf).toContain('Twin Cities Health Navigators');
    expect(textOf).toContain('Referrals sent November 1, 2017 through November 15, 2017');
    expect(textOf).toContain('Wednesday, November 29, 2017');
    expect(textOf).toContain('https://pal.example.org/upload/abc123');
    expect(textOf).toContain('reply to the email');
    expect(textOf).toContain('assisterleads@mnsure.org');
    expect(textOf).toMatch(/Do not rename/);
    expect(textOf).toContain(
      'Contact Made N goes only with the resolutions "Unable to contact" or "No longer needs assistance"',
    );
    for (const resolution of RESOLUTIONS) expect(textOf).toContain(resolution);
  });

  it("shows an example Contact Date from the report's own window, not 11/24/2017", async () => {
    const later = await buildReportWorkbook(
      input(ROWS, {
        window: { start: '2026-11-01', end: '2026-11-15', sendDate: '2026-11-22', dueDate: '2026-11-29' },
      }),
    );
    const laterBook = XLSX.read(later, { type: 'buffer' });
    const instructions = sheetRows(laterBook.Sheets.Instructions!).flat().join('\n');
    expect(instructions).toContain('like 11/15/2026');
    expect(instructions).not.toContain('11/24/2017');
    const prompt = dataValidations(await sheetXml(await JSZip.loadAsync(later), 'Referrals'))[1]?.attributes.prompt;
    expect(prompt).toContain('like 11/15/2026');
  });
});

describe('writeReportWorkbook', () => {
  it('streams rows from an async source into any writable stream and counts them', async () => {
    async function* fromDatabase(): AsyncGenerator<ReportRow> {
      for (const referral of referrals(1200)) yield referral;
    }
    const chunks: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    await expect(writeReportWorkbook(input(fromDatabase()), out)).resolves.toEqual({ rowCount: 1200 });
    const rows = sheetRows(XLSX.read(Buffer.concat(chunks), { type: 'buffer' }).Sheets.Referrals!);
    expect(rows).toHaveLength(1201);
    expect(rows[1200]?.[0]).toBe('ref_1200');
  });

  it('writes a valid report for a window without referrals, without upload link', async () => {
    const buffer = await buildReportWorkbook(input([], { returnInstructions: { replyTo: 'reports@pal.example.org' } }));
    const book = XLSX.read(buffer, { type: 'buffer' });
    expect(sheetRows(book.Sheets.Referrals!)).toHaveLength(1);
    const instructions = sheetRows(book.Sheets.Instructions!).flat().join('\n');
    expect(instructions).not.toContain('Upload');
    expect(instructions).toContain('reports@pal.example.org');
  });
});

describe('the report signature', () => {
  const signature = signReportIdentity(IDENTITY, SECRET);

  it('verifies for the identity it was made for', () => {
    expect(verifyReportIdentity(IDENTITY, signature, SECRET)).toBe(true);
  });

  it.each([
    ['another organization', { ...IDENTITY, organizationId: 'org_other' }],
    ['another window', { ...IDENTITY, windowId: '2017-11-16_2017-11-29' }],
    ['another report', { ...IDENTITY, reportId: 'rep_other' }],
  ])('does not verify for %s', (_label, identity) => {
    expect(verifyReportIdentity(identity, signature, SECRET)).toBe(false);
  });

  it('does not verify with another secret', () => {
    expect(verifyReportIdentity(IDENTITY, signature, Buffer.alloc(32, 8))).toBe(false);
  });

  it.each([
    ['an empty signature', IDENTITY, ''],
    ['a truncated signature', IDENTITY, signature.slice(0, 40)],
    ['a signature of the wrong alphabet', IDENTITY, `${signature.slice(0, 42)}=`],
    ['a number', IDENTITY, 42],
    ['version 2', { ...IDENTITY, version: 2 }, signature],
    ['a missing field', { reportId: 'rep_01HZY3', windowId: '2017-11-01_2017-11-15', version: 1 }, signature],
    ['not an object', 'rep_01HZY3', signature],
  ])('is false, never an exception, for %s', (_label, identity, given) => {
    expect(verifyReportIdentity(identity, given, SECRET)).toBe(false);
  });

  it('cannot be confused by moving text between fields', () => {
    const shifted = { ...IDENTITY, reportId: `${IDENTITY.reportId}","${IDENTITY.organizationId}`, organizationId: '' };
    expect(verifyReportIdentity(shifted, signature, SECRET)).toBe(false);
  });

  it('refuses to sign with a short secret', () => {
    expect(() => signReportIdentity(IDENTITY, Buffer.from('short'))).toThrow(RangeError);
  });
});
