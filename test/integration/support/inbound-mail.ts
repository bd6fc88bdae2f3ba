import MailComposer from 'nodemailer/lib/mail-composer';

/** SES's own verdicts on one inbound email, as SES receiving stamps them on top of the stored message. */
export interface SesStamp {
  spf?: 'pass' | 'fail' | 'none';
  /** The envelope sender SPF was checked for. */
  envelopeFrom?: string;
  /** One dkim= result per signature, with the signing domain (header.i=@domain). */
  dkim?: { result: 'pass' | 'fail' | 'none'; domain: string }[];
  dmarc?: 'pass' | 'fail' | 'none';
  /** The From domain DMARC was evaluated for. */
  fromDomain?: string;
  spam?: 'PASS' | 'FAIL' | 'GRAY';
  virus?: 'PASS' | 'FAIL' | 'GRAY';
}

/**
 * The trace block SES receiving prepends to the message it stores (shaped like AWS's published
 * examples: Return-Path, Received, X-SES-Spam-Verdict, X-SES-Virus-Verdict, Received-SPF,
 * Authentication-Results with authserv-id amazonses.com, X-SES-RECEIPT), then the message as sent.
 */
export function asSesStores(message: Buffer, stamp: SesStamp): Buffer {
  const envelopeFrom = stamp.envelopeFrom ?? 'bounce@mail.example.org';
  const results = [
    `spf=${stamp.spf ?? 'none'} (spfCheck: domain of ${envelopeFrom.split('@')[1]} checked) client-ip=192.0.2.10;` +
      ` envelope-from=${envelopeFrom}; helo=mail.example.org;`,
    ...(stamp.dkim ?? [{ result: 'none', domain: 'unknown' }]).map((d) => `dkim=${d.result} header.i=@${d.domain};`),
    `dmarc=${stamp.dmarc ?? 'none'} header.from=${stamp.fromDomain ?? 'example.org'};`,
  ];
  const block = [
    `Return-Path: <${envelopeFrom}>`,
    'Received: from mail.example.org (mail.example.org [192.0.2.10])',
    ' by inbound-smtp.us-east-1.amazonaws.com with SMTP id 0123456789abcdef',
    ' for pal-returns@inbound.mnsure.example.org; Wed, 22 Nov 2017 15:00:00 +0000 (UTC)',
    `X-SES-Spam-Verdict: ${stamp.spam ?? 'PASS'}`,
    `X-SES-Virus-Verdict: ${stamp.virus ?? 'PASS'}`,
    `Received-SPF: ${stamp.spf ?? 'none'} (spfCheck) client-ip=192.0.2.10; envelope-from=${envelopeFrom};`,
    'Authentication-Results: amazonses.com;',
    ...results.map((r) => ` ${r}`),
    'X-SES-RECEIPT: AEFBQUFBQUFBQUFFeGFtcGxlUmVjZWlwdA==',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(block, 'latin1'), message]);
}

/** A reply with the sheet attached, as the organization's mail program sends it (extra headers its own). */
export async function replyWithSheet(
  from: string,
  sheet: Buffer,
  options: { fileName?: string; headers?: Record<string, string> } = {},
): Promise<Buffer> {
  return new MailComposer({
    from,
    to: 'pal-returns@inbound.mnsure.example.org',
    subject: 'RE: PAL report',
    text: 'Completed report attached.',
    ...(options.headers && { headers: options.headers }),
    attachments: [{ filename: options.fileName ?? 'PAL report.xlsx', content: sheet }],
  })
    .compile()
    .build();
}
