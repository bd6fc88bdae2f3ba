import { simpleParser } from 'mailparser';
import { RETURN_PREFIXES } from '../api/jobs';
import type { AssisterDirectory } from '../ports/assister-directory.port';
import type { ReportFiles } from '../ports/report-files.port';
import type { FileOrigin, RefusalDeps, SheetResult } from './report-refusal';
import { Refusal, refuse } from './report-refusal';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface MailIntakeDeps extends RefusalDeps {
  readonly files: ReportFiles;
  readonly directory: Pick<AssisterDirectory, 'list'>;
  /** On AWS, inbound mail must carry SES's SPF or DKIM pass, so a forged From cannot file a report. */
  readonly requireSenderAuthentication: boolean;
}

/** Raw inbound messages larger than this are not read (a 5 MB sheet is about 7 MB once base64-encoded). */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export type UnpackResult = { outcome: 'unpacked'; keys: string[] } | SheetResult;

/**
 * Inbound mail (SES receiving stores it under inbound/): the MIME message is parsed, the sender
 * authenticated, and each spreadsheet attachment stored under received/ with the sender's address
 * beside it, where report-ingest takes it like an upload. A function of its own, so the sheet
 * reader's bundle does not carry the MIME parser and its charset tables (and the reverse).
 */
export async function unpackInboundMail(deps: MailIntakeDeps, origin: FileOrigin): Promise<UnpackResult> {
  const object = await deps.files.get(origin.key, MAX_MESSAGE_BYTES);
  if ('tooLarge' in object) return refuse(deps, origin, new Refusal('too-large', 'the email is too large'));
  const mail = await simpleParser(object.body, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const sender = mail.from?.value[0]?.address?.toLowerCase();
  const known = sender ? (await deps.directory.list()).some((o) => o.leadEmail.toLowerCase() === sender) : false;
  const notify = known && sender ? { to: sender } : undefined;
  if (deps.requireSenderAuthentication && !senderAuthenticated(mail.headers.get('authentication-results'))) {
    return refuse(
      deps,
      origin,
      new Refusal('unauthenticated-sender', 'the sender could not be authenticated (SPF/DKIM)'),
    );
  }
  const sheets = mail.attachments.filter(
    (a) => /\.xls[xmb]?$/i.test(a.filename ?? '') || /spreadsheet|excel/i.test(a.contentType),
  );
  if (!sender || sheets.length === 0) {
    return refuse(deps, origin, new Refusal('no-attachment', 'the email has no spreadsheet attached', notify));
  }
  const base = origin.key.slice(origin.key.lastIndexOf('/') + 1).replace(/[^\w.-]/g, '_');
  const keys: string[] = [];
  for (const [i, sheet] of sheets.entries()) {
    const key = `${RETURN_PREFIXES.mailAttachment}${base}/${i + 1}.xlsx`;
    // S3 metadata is ASCII: the file name travels encoded.
    await deps.files.put(key, sheet.content, XLSX, {
      sender,
      ...(sheet.filename && { 'file-name': encodeURIComponent(sheet.filename) }),
    });
    keys.push(key);
  }
  deps.log.info('Inbound mail unpacked', { mailKey: origin.key, attachments: keys.length });
  return { outcome: 'unpacked', keys };
}

function senderAuthenticated(header: unknown): boolean {
  const text = typeof header === 'string' ? header : JSON.stringify(header ?? '');
  return /\b(spf|dkim)=pass\b/i.test(text);
}
