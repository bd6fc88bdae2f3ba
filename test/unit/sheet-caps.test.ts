import { readReturnedWorkbook } from '../../shared/reports/report-reader';
import { inspectXlsx } from '../../shared/reports/xlsx-safety';
import { HEADER_ROW, inlineCell, packedText, workbookFile } from '../bench/hostile-sheets';

/*
 * Issue 10, findings 8 and 9: what a returned sheet may hold is capped, and each refusal names its rule. The files
 * are hand-written XML zipped byte by byte (test/bench/hostile-sheets.ts), as a hostile sender would make them.
 */

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const row = (n: number, cells: string): string => `<row r="${n}">${inlineCell(`A${n}`, `ref_${n}`)}${cells}</row>`;

describe('inspectXlsx refuses duplicate zip entries', () => {
  it('refuses two parts of the same name, which one reader would take the first of and another the last', () => {
    const file = workbookFile({
      extraParts: [
        { name: 'xl/worksheets/sheet1.xml', content: `<worksheet xmlns="${MAIN}"><sheetData/></worksheet>` },
      ],
    });
    expect(inspectXlsx(file)).toEqual({
      ok: false,
      rule: 'duplicate-entry',
      message: expect.stringContaining('xl/worksheets/sheet1.xml') as string,
    });
  });

  it('compares part names without regard to case, as the Open Packaging Conventions do', () => {
    const file = workbookFile({
      extraParts: [
        { name: 'XL/Worksheets/Sheet1.xml', content: `<worksheet xmlns="${MAIN}"><sheetData/></worksheet>` },
      ],
    });
    expect(inspectXlsx(file)).toMatchObject({ ok: false, rule: 'duplicate-entry' });
  });
});

describe('readReturnedWorkbook caps what a sheet may hold', () => {
  it('reads a cell of 32,768 characters, and refuses one of 32,769 with the row named', async () => {
    const fits = await readReturnedWorkbook(workbookFile({ sheetData: row(2, inlineCell('E2', packedText(32768))) }));
    expect(fits.problems).toEqual([]);
    const over = await readReturnedWorkbook(workbookFile({ sheetData: row(2, inlineCell('E2', packedText(32769))) }));
    expect(over.rows).toEqual([]);
    expect(over.problems).toEqual([{ rule: 'cell-too-long', message: expect.stringContaining('row 2') as string }]);
  });

  it('refuses a shared string longer than a cell may be', async () => {
    const file = workbookFile({
      sheetData: row(2, '<c r="E2" t="s"><v>0</v></c>'),
      sharedStrings: `<sst xmlns="${MAIN}"><si><t>${packedText(40000)}</t></si></sst>`,
    });
    expect((await readReturnedWorkbook(file)).problems).toEqual([
      { rule: 'cell-too-long', message: expect.any(String) as string },
    ]);
  });

  it('refuses more rows than the cap it is given, and reads as many as the cap', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => row(i + 2, inlineCell(`B${i + 2}`, 'Y'))).join('');
    const file = workbookFile({ sheetData: rows });
    expect((await readReturnedWorkbook(file, { maxRows: 31 })).rows).toHaveLength(30);
    const over = await readReturnedWorkbook(file, { maxRows: 30 });
    expect(over.problems).toEqual([{ rule: 'too-many-rows', message: expect.stringContaining('30') as string }]);
  });

  it('refuses a row of more columns than a sheet has, counted or by its cell references', async () => {
    // 1,025 cells all claiming column B: counted, whatever their references say.
    const many = Array.from({ length: 1025 }, (_, i) => `<c r="B2"><v>${i}</v></c>`).join('');
    expect((await readReturnedWorkbook(workbookFile({ sheetData: row(2, many) }))).problems).toEqual([
      { rule: 'too-many-columns', message: expect.any(String) as string },
    ]);
    const far = await readReturnedWorkbook(workbookFile({ sheetData: row(2, '<c r="XFD2"><v>1</v></c>') }));
    expect(far.problems).toEqual([{ rule: 'too-many-columns', message: expect.any(String) as string }]);
  });

  it('refuses XML nested deeper than any spreadsheet writes', async () => {
    const file = workbookFile({ sheetData: `<row r="2">${'<x>'.repeat(100)}${'</x>'.repeat(100)}</row>` });
    expect((await readReturnedWorkbook(file)).problems).toEqual([
      { rule: 'xml-too-deep', message: expect.any(String) as string },
    ]);
  });

  it('refuses a DOCTYPE, where entity expansion tricks live', async () => {
    const sheetXml =
      '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>' +
      `<worksheet xmlns="${MAIN}"><sheetData>${HEADER_ROW}${row(2, inlineCell('E2', '&b;'))}</sheetData></worksheet>`;
    expect((await readReturnedWorkbook(workbookFile({ sheetXml }))).problems).toEqual([
      { rule: 'xml-doctype', message: expect.any(String) as string },
    ]);
  });

  it('still reads entities and a cell split across many chunks exactly', async () => {
    const comment = 'R&amp;D &lt;team&gt; &#x41;&#66; '.repeat(200);
    const filler = Array.from({ length: 300 }, (_, i) => row(i + 3, inlineCell(`E${i + 3}`, packedText(200)))).join('');
    const result = await readReturnedWorkbook(workbookFile({ sheetData: row(2, inlineCell('E2', comment)) + filler }));
    expect(result.problems).toEqual([]);
    expect(result.rows[0]?.comments).toEqual({ kind: 'text', text: 'R&D <team> AB '.repeat(200) });
  });
});
