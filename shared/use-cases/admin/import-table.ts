import { parseCsv } from '../../format/csv';
import { readFirstSheetTable, SheetTableError } from '../../reports/sheet-table';

/** A directory import file that cannot be read as a table; `rule` names why. */
export class ImportFileError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/** A directory import file as rows of text: .xlsx (it starts as a zip, "PK") or else CSV. */
export async function readImportTable(data: Buffer): Promise<string[][]> {
  if (data.subarray(0, 2).toString() === 'PK') return readSheetTable(data);
  return parseCsv(data.toString('utf8'));
}

/**
 * The first sheet of a small .xlsx (a directory import), as rows of text: inspected on the bytes, then read by the
 * same capped, linear reader as a returned report, since the spreadsheet may come from anyone.
 */
export async function readSheetTable(data: Buffer): Promise<string[][]> {
  try {
    return await readFirstSheetTable(data);
  } catch (error) {
    if (error instanceof SheetTableError) throw new ImportFileError(error.rule, `the .xlsx file: ${error.message}`);
    throw error;
  }
}
