import type { Attachment } from 'mailparser';
import { simpleParser } from 'mailparser';
import { RETURN_PREFIXES } from '../api/jobs';
import { echoableFileName } from '../domain/attachment-name';
import type { HeaderField } from '../domain/mail-headers';
import { MAX_HEADER_BLOCK_BYTES, readHeaderBlock, singleFromAddress } from '../domain/mail-headers';
import { checkMimeShape } from '../domain/mime-shape';
import { sesVerdict } from '../domain/ses-verdict';
import type { AssisterDirectory } from '../ports/assister-directory.port';
import type { InboundMailMetrics, InboundMailRefusal } from '../ports/metrics.port';
import type { ReportFiles } from '../ports/report-files.port';
import type { FileOrigin, RefusalDeps, SheetResult } from './report-refusal';
import { Refusal, refuse } from './report-refusal';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface MailIntakeDeps extends RefusalDeps {
  readonly files: ReportFiles;
  readonly directory: Pick<AssisterDirectory, 'list'>;
  readonly metrics: InboundMailMetrics;
  /**
   * On AWS, SES's own Authentication-Results must show DMARC pass or a DKIM pass aligned with From,
   * so a forged From cannot file a report. Off only on the local stack, whose SES stand-in writes none.
   */
  readonly requireSenderAuthentication: boolean;
}

/** Raw inbound messages larger than this are not read (a 5 MB sheet is about 7 MB once base64-encoded). */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export type UnpackResult = { outcome: 'unpacked'; keys: string[] } | SheetResult;

/**
 * Inbound mail (SES receiving stores it under inbound/). The cheapest proof comes first: the header
 * block alone (bounded, one pass) must show one From address that is an organization's lead contact
 * and, on AWS, SES's own verdicts for it. Only then is the MIME message parsed, its shape checked
 * first, and each spreadsheet attachment stored under received/ with the sender's address beside
 * it, where report-ingest takes it like an upload. Mail refused before that gets no answer (its
 * From may be forged): it is counted and logged by reason. A function of its own, so the sheet
 * reader's bundle does not carry the MIME parser and its charset tables (and the reverse).
 */
export async function unpackInboundMail(deps: MailIntakeDeps, origin: FileOrigin): Promise<UnpackResult> {
  const object = await deps.files.get(origin.key, MAX_MESSAGE_BYTES);
  if ('tooLarge' in object) return unanswered(deps, origin, 'too-large');

  const proven = await provenSender(deps, object.body);
  if ('refusal' in proven) return unanswered(deps, origin, proven.refusal);

  const sender = proven.sender;
  const mail = await parseProvenMail(object.body, proven.fields, proven.bodyOffset);
  if (!mail.ok) {
    // A proven lead contact is told (they can send the sheet alone); the count shows who hits it.
    deps.metrics.inboundMailRefused(mail.rule);
    const reason = 'the email has too many parts or is nested too deep; send the sheet attached on its own';
    return refuse(deps, origin, new Refusal(mail.rule, reason, { to: sender }));
  }
  const sheets = mail.attachments.filter(
    (a) => /\.xls[xmb]?$/i.test(a.filename ?? '') || /spreadsheet|excel/i.test(a.contentType),
  );
  if (sheets.length === 0) {
    return refuse(deps, origin, new Refusal('no-attachment', 'the email has no spreadsheet attached', { to: sender }));
  }
  const base = origin.key.slice(origin.key.lastIndexOf('/') + 1).replace(/[^\w.-]/g, '_');
  const keys: string[] = [];
  for (const [i, sheet] of sheets.entries()) {
    const key = `${RETURN_PREFIXES.mailAttachment}${base}/${i + 1}.xlsx`;
    const fileName = echoableFileName(sheet.filename);
    // S3 metadata is ASCII: the file name travels encoded.
    await deps.files.put(key, sheet.content, XLSX, {
      sender,
      ...(fileName && { 'file-name': encodeURIComponent(fileName) }),
    });
    keys.push(key);
  }
  deps.log.info('Inbound mail unpacked', { mailKey: origin.key, attachments: keys.length });
  return { outcome: 'unpacked', keys };
}

/**
 * A proven sender's message, parsed: its MIME shape first (one linear pass: parts, nesting, part
 * headers), then mailparser, which is not linear on the shapes the check refuses.
 */
export async function parseProvenMail(
  raw: Buffer,
  fields: readonly HeaderField[],
  bodyOffset: number,
): Promise<{ ok: true; attachments: Attachment[] } | { ok: false; rule: 'mime-too-complex' }> {
  const shape = checkMimeShape(raw, fields, bodyOffset);
  if (!shape.ok) return { ok: false, rule: shape.rule };
  const mail = await simpleParser(raw, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    // mailsplit's own cap on a node's header block (1 MB by default), lowered to ours as a backstop.
    maxHeadSize: MAX_HEADER_BLOCK_BYTES,
  } as Parameters<typeof simpleParser>[1]);
  return { ok: true, attachments: mail.attachments };
}

type Proof = { sender: string; fields: HeaderField[]; bodyOffset: number } | { refusal: InboundMailRefusal };

/** From the header block alone: one From, SES's verdicts for it (on AWS), and a lead contact. */
async function provenSender(deps: MailIntakeDeps, raw: Buffer): Promise<Proof> {
  const block = readHeaderBlock(raw);
  if (!block.ok) return { refusal: block.rule };
  const sender = singleFromAddress(block.fields);
  if (!sender) return { refusal: 'unreadable-headers' };
  if (deps.requireSenderAuthentication) {
    const verdict = sesVerdict(block.fields, sender);
    if (!verdict.ok) return { refusal: verdict.rule };
  }
  const known = (await deps.directory.list()).some((o) => o.leadEmail.toLowerCase() === sender);
  if (!known) return { refusal: 'unknown-sender' };
  return { sender, fields: block.fields, bodyOffset: block.bodyOffset };
}

/** Refused without a reply to anyone: counted and logged by reason (no address, no file name). */
async function unanswered(deps: MailIntakeDeps, origin: FileOrigin, reason: InboundMailRefusal): Promise<SheetResult> {
  deps.metrics.inboundMailRefused(reason);
  return refuse(deps, origin, new Refusal(reason, 'inbound mail refused before any attachment was read'));
}
