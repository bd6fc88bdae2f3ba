import ExcelJS from 'exceljs';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { StoredEmail } from './local-stack';

/** The organization's side of a report: fill the sheet as a person would in a spreadsheet program. */
export interface Fill {
  contactMade?: string | boolean;
  contactDate?: string | Date | number;
  resolution?: string;
  comments?: string;
  /** Replace the cell with a formula (which ingest must refuse, never evaluate). */
  formula?: 'contactDate' | 'resolution';
}

export async function fillReport(
  xlsx: Buffer,
  fills: Record<string, Fill>,
  extraRows: Record<string, Fill> = {},
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('Referrals')!;
  const columns = new Map<string, number>();
  sheet.getRow(1).eachCell((cell, col) => columns.set(String(cell.value), col));
  const col = (header: string) => columns.get(header)!;
  const apply = (row: ExcelJS.Row, fill: Fill) => {
    if (fill.contactMade !== undefined) row.getCell(col('Contact Made (Y/N)')).value = fill.contactMade;
    if (fill.contactDate !== undefined) row.getCell(col('Contact Date')).value = fill.contactDate;
    if (fill.resolution !== undefined) row.getCell(col('Resolution')).value = fill.resolution;
    if (fill.comments !== undefined) row.getCell(col('Comments')).value = fill.comments;
    if (fill.formula) {
      const header = fill.formula === 'contactDate' ? 'Contact Date' : 'Resolution';
      row.getCell(col(header)).value = { formula: 'TODAY()', result: new Date() } as ExcelJS.CellFormulaValue;
    }
  };
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const fill = fills[String(row.getCell(col('Referral ID')).value)];
    if (fill) apply(row, fill);
  });
  for (const [referralId, fill] of Object.entries(extraRows)) {
    const row = sheet.addRow([]);
    row.getCell(col('Referral ID')).value = referralId;
    apply(row, fill);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The links in a report email. */
export function linksOf(email: StoredEmail): { download: string; upload: string } {
  const text = email.body.text ?? '';
  return {
    download: /Download the report: (\S+)/.exec(text)![1]!,
    upload: /Upload the completed report: (\S+)/.exec(text)![1]!,
  };
}

/** Downloads through the emailed link: our API checks the token and redirects to a fresh presigned URL. */
export async function download(link: string): Promise<Buffer> {
  const res = await fetch(link);
  if (!res.ok) throw new Error(`download failed: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Uploads as a browser would: open the upload page, post its form (presigned POST) straight to S3. */
export async function upload(link: string, xlsx: Buffer, fileName = 'report.xlsx'): Promise<Response> {
  const page = await (await fetch(link)).text();
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error(`no upload form on the page:\n${page}`);
  const form = new FormData();
  for (const [, name, value] of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.append(unescape(name!), unescape(value!));
  }
  form.append('file', new Blob([xlsx]), fileName);
  return fetch(unescape(action), { method: 'POST', body: form });
}

function unescape(s: string): string {
  return s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}

/** A raw email (RFC 5322) with the sheet attached, as SES receiving would store it. */
export async function rawEmail(from: string, attachment: Buffer, fileName = 'PAL report.xlsx'): Promise<Buffer> {
  return new MailComposer({
    from,
    to: 'pal-returns@inbound.mnsure.example.org',
    subject: 'RE: PAL report',
    text: 'Completed report attached.',
    attachments: [{ filename: fileName, content: attachment }],
  })
    .compile()
    .build();
}
