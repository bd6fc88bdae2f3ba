import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import * as XLSX from 'xlsx';
import type { CellValue, ReportIdentity, ReportRow, ReturnedRow } from '../../shared/domain/report-sheet';
import { signReportIdentity, verifyReportIdentity } from '../../shared/domain/report-signature';
import { readReturnedWorkbook } from '../../shared/reports/report-reader';
import { buildReportWorkbook } from '../../shared/reports/report-workbook';

/*
 * Reports are written by our writer, then filled in the way an organization would (here with exceljs's ordinary,
 * non-streaming workbook, and with SheetJS and hand-written XML for what other programs save), then read back.
 */

const SECRET = Buffer.alloc(32, 3);
const IDENTITY: ReportIdentity = {
  reportId: 'rep_01J0ABC',
  organizationId: 'org_lakes_region',
  windowId: '2017-11-16_2017-11-29',
  version: 1,
};
const SIGNATURE = signReportIdentity(IDENTITY, SECRET);

const EMPTY: CellValue = { kind: 'empty' };
const text = (value: string): CellValue => ({ kind: 'text', text: value });

function referrals(count: number): ReportRow[] {
  return Array.from({ length: count }, (_, i) => ({
    referralId: `ref_${String(i + 1).padStart(3, '0')}`,
    referredOn: '2017-11-20',
    consumerName: `Consumer ${i + 1}`,
    phone: '(218) 555-0100',
    countyName: 'Crow Wing',
    assisterType: 'navigator',
    reason: 'New application',
  }));
}

function report(rows: ReportRow[]): Promise<Buffer> {
  return buildReportWorkbook({
    identity: IDENTITY,
    signature: SIGNATURE,
    organizationName: 'Lakes Region Navigators',
    window: { start: '2017-11-16', end: '2017-11-29', sendDate: '2017-12-06', dueDate: '2017-12-13' },
    programContact: 'assisterleads@mnsure.org',
    returnInstructions: { replyTo: 'reports@pal.example.org' },
    rows,
    generatedAt: new Date('2017-12-06T14:00:00Z'),
  });
}

/** Opens the report in exceljs's ordinary workbook, lets edit change it, saves it again. */
async function filledIn(buffer: Buffer, edit: (sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  const sheet = workbook.getWorksheet('Referrals');
  if (!sheet) throw new Error('no Referrals sheet');
  edit(sheet);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function rowOf(sheet: ExcelJS.Worksheet, referralId: string): ExcelJS.Row {
  let found: ExcelJS.Row | undefined;
  sheet.eachRow((row) => {
    if (row.getCell(1).value === referralId) found = row;
  });
  if (!found) throw new Error(`no row for ${referralId}`);
  return found;
}

const H = 8; // Contact Made (Y/N)
const I = 9; // Contact Date
const J = 10; // Resolution
const K = 11; // Comments

describe('readReturnedWorkbook, on a report filled in and saved by another program', () => {
  let result: Awaited<ReturnType<typeof readReturnedWorkbook>>;

  beforeAll(async () => {
    const sent = await report(referrals(9));
    const returned = await filledIn(sent, (sheet) => {
      const fill = (id: string, values: Partial<Record<number, ExcelJS.CellValue>>) => {
        const row = rowOf(sheet, id);
        for (const [column, value] of Object.entries(values)) row.getCell(Number(column)).value = value ?? null;
      };
      fill('ref_001', {
        [H]: 'Y',
        [I]: new Date(Date.UTC(2017, 10, 24)),
        [J]: 'Enrolled in QHP',
        [K]: 'Enrolled by phone',
      });
      fill('ref_002', { [H]: 'y', [I]: '11/24/2017', [J]: 'eligible for ma' });
      fill('ref_003', { [H]: 'Y', [I]: 43063, [J]: 'Eligible for MinnesotaCare' });
      rowOf(sheet, 'ref_003').getCell(I).numFmt = 'General'; // a serial pasted into a General cell
      fill('ref_004', { [H]: 'N', [J]: 'Unable to contact' });
      fill('ref_005', {
        [H]: { formula: 'IF(TRUE,"Y","N")', result: 'Y' },
        [J]: { richText: [{ text: 'Unable ', font: { bold: true } }, { text: 'to contact' }] },
        [K]: { text: 'see our notes', hyperlink: 'https://notes.example.org/5' },
      });
      // ref_006 is left as it came: not filled in yet.
      fill('ref_008', { [H]: true, [I]: { error: '#N/A' } as ExcelJS.CellErrorValue, [J]: 'Enrolled in QHP' });
      fill('ref_009', { [H]: 'N', [I]: { formula: 'TODAY()', result: 43063 }, [J]: 'No longer needs assistance' });
      // A row emptied out entirely: nothing to read there.
      rowOf(sheet, 'ref_007').eachCell({ includeEmpty: true }, (cell) => {
        cell.value = null;
      });

      // Sorted by the organization: last referral first.
      const rows = Array.from({ length: 9 }, (_, i) => sheet.getRow(i + 2).values as ExcelJS.CellValue[]);
      rows.reverse().forEach((values, i) => {
        sheet.getRow(i + 2).values = values;
      });
      // Resolution and Comments swapped, and a column of their own added.
      for (let r = 1; r <= 10; r += 1) {
        const row = sheet.getRow(r);
        const [resolution, comments] = [row.getCell(J).value, row.getCell(K).value];
        row.getCell(J).value = comments;
        row.getCell(K).value = resolution;
      }
      sheet.getCell('L1').value = 'Our notes';
      sheet.getCell('L2').value = 'call back Monday';
    });
    result = await readReturnedWorkbook(returned);
  });

  it('finds the identifier, and its signature still verifies', () => {
    expect(result.identity).toEqual({ identity: IDENTITY, signature: SIGNATURE });
    expect(verifyReportIdentity(result.identity?.identity, result.identity?.signature, SECRET)).toBe(true);
  });

  it('reports no problem with the sheet', () => {
    expect(result.problems).toEqual([]);
  });

  it('reads each row as the organization left it, by header, at the row number they see', () => {
    const expected: ReturnedRow[] = [
      {
        rowNumber: 2,
        referralId: 'ref_009',
        contactMade: text('N'),
        contactDate: { kind: 'formula' },
        resolution: text('No longer needs assistance'),
        comments: EMPTY,
      },
      {
        rowNumber: 3,
        referralId: 'ref_008',
        contactMade: { kind: 'boolean', value: true },
        contactDate: { kind: 'error' },
        resolution: text('Enrolled in QHP'),
        comments: EMPTY,
      },
      // Row 4 held ref_007, emptied: skipped.
      {
        rowNumber: 5,
        referralId: 'ref_006',
        contactMade: EMPTY,
        contactDate: EMPTY,
        resolution: EMPTY,
        comments: EMPTY,
      },
      {
        rowNumber: 6,
        referralId: 'ref_005',
        contactMade: { kind: 'formula' },
        contactDate: EMPTY,
        resolution: text('Unable to contact'),
        comments: text('see our notes'),
      },
      {
        rowNumber: 7,
        referralId: 'ref_004',
        contactMade: text('N'),
        contactDate: EMPTY,
        resolution: text('Unable to contact'),
        comments: EMPTY,
      },
      {
        rowNumber: 8,
        referralId: 'ref_003',
        contactMade: text('Y'),
        contactDate: { kind: 'number', value: 43063 },
        resolution: text('Eligible for MinnesotaCare'),
        comments: EMPTY,
      },
      {
        rowNumber: 9,
        referralId: 'ref_002',
        contactMade: text('y'),
        contactDate: text('11/24/2017'),
        resolution: text('eligible for ma'),
        comments: EMPTY,
      },
      {
        rowNumber: 10,
        referralId: 'ref_001',
        contactMade: text('Y'),
        contactDate: { kind: 'date', date: '2017-11-24' },
        resolution: text('Enrolled in QHP'),
        comments: text('Enrolled by phone'),
      },
    ];
    expect(result.rows).toEqual(expected);
  });
});

describe('readReturnedWorkbook keeps every character', () => {
  it('reads thousands of non-English comments back exactly, across the zip stream chunk boundaries', async () => {
    const count = 3000;
    // Spanish, Vietnamese, Russian and Amharic, as Minnesota's assisters write them. Amharic letters take three
    // bytes each, so the 64 KB chunks of this file's shared strings do cut characters in two (5 of 11 here).
    const comment = (i: number) => `${i}: Llamó — Nguyễn — Перезвонить — ${'ደውለናል ግን አልመለሰችም '.repeat(1 + (i % 4))}`;
    const returned = await filledIn(await report(referrals(count)), (sheet) => {
      for (let i = 0; i < count; i += 1) {
        const row = sheet.getRow(i + 2);
        row.getCell(H).value = 'N';
        row.getCell(J).value = 'Unable to contact';
        row.getCell(K).value = comment(i);
      }
    });
    const result = await readReturnedWorkbook(returned);
    expect(result.rows).toHaveLength(count);
    const wrong = result.rows.filter((row, i) => row.comments.kind !== 'text' || row.comments.text !== comment(i));
    expect(wrong).toEqual([]);
  });
});

/** A minimal workbook the way other programs write one, from parts given as XML. */
async function handWritten(parts: Record<string, string>): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, xml] of Object.entries(parts)) zip.file(name, xml);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';

function handWrittenParts(sheetData: string, workbookExtra = ''): Record<string, string> {
  return {
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
      '</Types>',
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PACKAGE_RELS}"><Relationship Id="rId1" Type="${RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    // Absolute targets, as some programs write them.
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PACKAGE_RELS}"><Relationship Id="rId1" Type="${RELS}/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>`,
    'xl/workbook.xml':
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${RELS}">${workbookExtra}` +
      '<sheets><sheet name="Referrals" sheetId="1" r:id="rId1"/></sheets>' +
      '<definedNames>' +
      `<definedName name="PAL_REPORT_ID">"${IDENTITY.reportId}"</definedName>` +
      `<definedName name="PAL_ORGANIZATION_ID">"${IDENTITY.organizationId}"</definedName>` +
      `<definedName name="PAL_WINDOW_ID">"${IDENTITY.windowId}"</definedName>` +
      `<definedName name="PAL_SIGNATURE">"${SIGNATURE}"</definedName>` +
      '</definedNames></workbook>',
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>${sheetData}</sheetData></worksheet>`,
  };
}

const inline = (ref: string, value: string) => `<c r="${ref}" t="inlineStr"><is><t>${value}</t></is></c>`;
const HEADER_ROW =
  '<row r="1">' +
  ['Referral ID', 'Contact Made (Y/N)', 'Contact Date', 'Resolution', 'Comments']
    .map((header, i) => inline(`${'ABCDE'[i]}1`, header))
    .join('') +
  '</row>';

describe('readReturnedWorkbook on files other programs write', () => {
  it('reads inline strings, rich inline text, t="str", t="b", t="d", errors, shared formulas, and no styles part', async () => {
    const sheetData =
      HEADER_ROW +
      `<row r="2">${inline('A2', 'ref_001')}<c r="B2" t="b"><v>1</v></c><c r="C2" t="d"><v>2017-11-24T00:00:00</v></c>` +
      '<c r="D2" t="inlineStr"><is><r><rPr><b/></rPr><t xml:space="preserve">Enrolled </t></r><r><t>in QHP</t></r>' +
      '<rPh sb="0" eb="1"><t>ignored</t></rPh></is></c>' +
      '<c r="E2" t="str"><v>R&amp;D &lt;team&gt; helped</v></c></row>' +
      `<row r="3">${inline('A3', 'ref_002')}${inline('B3', 'N')}<c r="C3"><f t="shared" si="0" ref="C3:C4"/><v>43063</v></c>` +
      `${inline('D3', 'Unable to contact')}<c r="E3" t="e"><v>#N/A</v></c></row>` +
      `<row r="4">${inline('A4', 'ref_003')}<c r="B4" t="str"><v>Y</v></c><c r="C4"><v>41601</v></c>${inline('D4', 'Eligible for MA')}</row>`;
    const file = await handWritten(handWrittenParts(sheetData, '<workbookPr date1904="1"/>'));

    const result = await readReturnedWorkbook(file);
    expect(result.problems).toEqual([]);
    // No PAL sheet here: the identifier comes from the workbook's defined names.
    expect(result.identity).toEqual({ identity: IDENTITY, signature: SIGNATURE });
    expect(result.rows).toEqual([
      {
        rowNumber: 2,
        referralId: 'ref_001',
        contactMade: { kind: 'boolean', value: true },
        contactDate: { kind: 'date', date: '2017-11-24' },
        resolution: text('Enrolled in QHP'),
        comments: text('R&D <team> helped'),
      },
      {
        rowNumber: 3,
        referralId: 'ref_002',
        contactMade: text('N'),
        contactDate: { kind: 'formula' },
        resolution: text('Unable to contact'),
        comments: { kind: 'error' },
      },
      {
        rowNumber: 4,
        referralId: 'ref_003',
        contactMade: text('Y'),
        // 41601 in the 1904 date system is 43063 in the 1900 one: 2017-11-24 either way.
        contactDate: { kind: 'number', value: 43063 },
        resolution: text('Eligible for MA'),
        comments: EMPTY,
      },
    ]);
  });

  it('reads a workbook written by SheetJS (stored entries, strings as t="str", no shared strings), every time', async () => {
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(
      book,
      XLSX.utils.aoa_to_sheet([
        ['Referral ID', 'Referred On', 'Contact Made (Y/N)', 'Contact Date', 'Resolution', 'Comments'],
        ['ref_001', 43059, 'Y', '11/24/2017', 'Enrolled in QHP', ''],
        [null, null, null, null, null, null],
        ['ref_002', 43059, 'N', null, 'Unable to contact', 'No answer, twice'],
      ]),
      'Referrals',
    );
    XLSX.utils.book_append_sheet(
      book,
      XLSX.utils.aoa_to_sheet([
        ['reportId', IDENTITY.reportId],
        ['organizationId', IDENTITY.organizationId],
        ['windowId', IDENTITY.windowId],
        ['version', 1],
        ['signature', SIGNATURE],
      ]),
      'PAL',
    );
    book.Workbook = { Sheets: [{ Hidden: 0 }, { Hidden: 2 }] };
    const file = XLSX.write(book, { bookType: 'xlsx', type: 'buffer' }) as Buffer;

    // Read a few times: exceljs's own unzip loop drops entries of such files in about one read of three.
    const results = await Promise.all(Array.from({ length: 6 }, () => readReturnedWorkbook(file)));
    for (const other of results.slice(1)) expect(other).toEqual(results[0]);
    const result = results[0]!;
    expect(result.identity).toEqual({ identity: IDENTITY, signature: SIGNATURE });
    expect(result.rows).toEqual([
      {
        rowNumber: 2,
        referralId: 'ref_001',
        contactMade: text('Y'),
        contactDate: text('11/24/2017'),
        resolution: text('Enrolled in QHP'),
        comments: EMPTY,
      },
      {
        rowNumber: 4,
        referralId: 'ref_002',
        contactMade: text('N'),
        contactDate: EMPTY,
        resolution: text('Unable to contact'),
        comments: text('No answer, twice'),
      },
    ]);
  });
});

describe('readReturnedWorkbook refuses a sheet it cannot read', () => {
  it('says when the Referrals sheet is missing', async () => {
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet([['Referral ID'], ['ref_001']]), 'Sheet1');
    const result = await readReturnedWorkbook(XLSX.write(book, { bookType: 'xlsx', type: 'buffer' }) as Buffer);
    expect(result.rows).toEqual([]);
    expect(result.problems).toEqual([{ rule: 'missing-sheet', message: expect.stringContaining('"Referrals" sheet') }]);
  });

  it('names each required column that is missing, and reads no rows', async () => {
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(
      book,
      XLSX.utils.aoa_to_sheet([
        ['Referral ID', 'Contact', 'Resolution'],
        ['ref_001', 'Y', 'Enrolled in QHP'],
      ]),
      'Referrals',
    );
    const result = await readReturnedWorkbook(XLSX.write(book, { bookType: 'xlsx', type: 'buffer' }) as Buffer);
    expect(result.rows).toEqual([]);
    expect(result.problems.map((problem) => problem.rule)).toEqual(['missing-column', 'missing-column']);
    expect(result.problems.map((problem) => problem.message).join(' ')).toMatch(
      /"Contact Made \(Y\/N\)".*"Contact Date"/,
    );
  });

  it('stops reading an entry that holds more than it declares (a zip bomb the declared sizes hide)', async () => {
    const file = await report(referrals(200));
    // Understate the Referrals sheet's size in the central directory, where inspectXlsx reads it.
    const name = Buffer.from('xl/worksheets/sheet2.xml');
    const header = file.indexOf(Buffer.concat([name]), file.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) - 2000);
    const central = header - 46;
    expect(file.readUInt32LE(central)).toBe(0x02014b50);
    file.writeUInt32LE(1000, central + 24);

    const result = await readReturnedWorkbook(file);
    expect(result).toEqual({
      rows: [],
      problems: [{ rule: 'zip-bomb', message: expect.stringContaining('zip bomb') }],
    });
  });

  it('refuses what is not an .xlsx file before parsing it', async () => {
    const result = await readReturnedWorkbook(Buffer.from('Referral ID,Contact Made\nref_001,Y\n'));
    expect(result).toEqual({ rows: [], problems: [{ rule: 'not-xlsx', message: expect.any(String) }] });
  });

  it('has no identity for a sheet that never carried one', async () => {
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(
      book,
      XLSX.utils.aoa_to_sheet([['Referral ID', 'Contact Made (Y/N)', 'Contact Date', 'Resolution', 'Comments']]),
      'Referrals',
    );
    const result = await readReturnedWorkbook(XLSX.write(book, { bookType: 'xlsx', type: 'buffer' }) as Buffer);
    expect(result.identity).toBeUndefined();
    expect(result.problems).toEqual([]);
  });
});
