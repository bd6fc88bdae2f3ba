import ExcelJS from 'exceljs';
import { readSheetTable } from '../../shared/use-cases/admin/import-table';
import { inlineCell, packedText, workbookFile, zipOf } from '../bench/hostile-sheets';

/*
 * Issue 10, "also check": the admin directory import opens .xlsx files too, and they come from whoever made the
 * spreadsheet. It takes the same byte inspection and the same capped, linear reader as a returned report.
 */

async function directoryWorkbook(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Organizations');
  sheet.addRow(['organizationId', 'name', 'leadEmail', 'capacity']);
  sheet.addRow(['org-lakes', 'Lakes Region Navigators', 'lead@lakes.example.org', 25]);
  sheet.addRow([]);
  sheet.addRow(['org-metro', 'Metro & Co <Navigators>', 'lead@metro.example.org', 3.5]);
  workbook.addWorksheet('Notes').addRow(['not read']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('readSheetTable, for a directory import', () => {
  it("reads the first sheet's non-empty rows as text", async () => {
    expect(await readSheetTable(await directoryWorkbook())).toEqual([
      ['organizationId', 'name', 'leadEmail', 'capacity'],
      ['org-lakes', 'Lakes Region Navigators', 'lead@lakes.example.org', '25'],
      ['org-metro', 'Metro & Co <Navigators>', 'lead@metro.example.org', '3.5'],
    ]);
  });

  it('refuses a workbook with macros before opening it, naming the rule', async () => {
    const file = workbookFile({ extraParts: [{ name: 'xl/vbaProject.bin', content: Buffer.alloc(64, 1) }] });
    await expect(readSheetTable(file)).rejects.toMatchObject({ rule: 'macros' });
  });

  it('refuses duplicate zip entries', async () => {
    const file = workbookFile({ extraParts: [{ name: 'xl/workbook.xml', content: '<workbook/>' }] });
    await expect(readSheetTable(file)).rejects.toMatchObject({ rule: 'duplicate-entry' });
  });

  it('refuses a cell longer than any directory field, and XML nested without end', async () => {
    const long = workbookFile({ sheetData: `<row r="2">${inlineCell('A2', packedText(40_000))}</row>` });
    await expect(readSheetTable(long)).rejects.toMatchObject({ rule: 'cell-too-long' });
    const deep = workbookFile({ sheetData: `<row r="2">${'<x>'.repeat(1000)}</row>` });
    await expect(readSheetTable(deep)).rejects.toMatchObject({ rule: 'xml-too-deep' });
  });

  it('refuses what is not a workbook at all', async () => {
    await expect(readSheetTable(zipOf([{ name: 'a.txt', content: 'hello' }]))).rejects.toMatchObject({
      rule: 'not-xlsx',
    });
  });
});
