import { readHeaderBlock, singleFromAddress } from '../../shared/domain/mail-headers';
import { domainsAligned, parseAuthenticationResults, sesVerdict } from '../../shared/domain/ses-verdict';

/* Whether SES proved an inbound email's From, from the header block alone (see shared/domain/ses-verdict.ts). */

const LEAD = 'leads@navigators.example.org';

/** A header block as SES stores it: its trace block on top, then the sender's own headers. */
function stored(
  sesResults: string,
  senderHeaders: string[] = [],
  from = `Lead Desk <${LEAD}>`,
  scan = ['PASS', 'PASS'],
) {
  const raw = [
    'Return-Path: <bounce@navigators.example.org>',
    'Received: from mail.navigators.example.org by inbound-smtp.us-east-1.amazonaws.com with SMTP id abc',
    `X-SES-Spam-Verdict: ${scan[0]}`,
    `X-SES-Virus-Verdict: ${scan[1]}`,
    `Authentication-Results: amazonses.com;\r\n ${sesResults.split('; ').join(';\r\n ')}`,
    'X-SES-RECEIPT: AEFBQUFB',
    ...senderHeaders,
    `From: ${from}`,
    'To: pal-returns@inbound.mnsure.example.org',
    'Subject: RE: PAL report',
    '',
    'body',
  ].join('\r\n');
  const block = readHeaderBlock(Buffer.from(raw, 'latin1'));
  if (!block.ok) throw new Error(block.detail);
  return block.fields;
}

const verdict = (fields: ReturnType<typeof stored>) => sesVerdict(fields, singleFromAddress(fields)!);

describe("SES's verdict on the From address", () => {
  it('passes on DMARC pass for the From domain', () => {
    const fields = stored(
      'spf=pass (spfCheck: domain of navigators.example.org designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from=bounce@navigators.example.org; helo=mail; dkim=pass header.i=@navigators.example.org; dmarc=pass header.from=navigators.example.org;',
    );
    expect(verdict(fields)).toEqual({ ok: true, by: 'dmarc' });
  });

  it('passes on a DKIM pass aligned with From (same domain, or a parent or child of it) without DMARC', () => {
    for (const d of ['navigators.example.org', 'mail.navigators.example.org', 'example.org']) {
      expect(
        verdict(stored(`spf=none; dkim=pass header.d=${d}; dmarc=none header.from=navigators.example.org`)),
      ).toEqual({ ok: true, by: 'dkim' });
    }
  });

  it("ignores an Authentication-Results the sender wrote into their own headers (SES's, on top, decides)", () => {
    const fields = stored('spf=fail; dkim=none; dmarc=fail header.from=navigators.example.org', [
      'Authentication-Results: amazonses.com; spf=pass; dkim=pass header.d=navigators.example.org; dmarc=pass',
    ]);
    expect(verdict(fields)).toMatchObject({ ok: false, rule: 'unauthenticated-sender' });
  });

  it('refuses when the topmost Authentication-Results is not from amazonses.com', () => {
    const raw = `Authentication-Results: attacker.example; dkim=pass header.d=navigators.example.org; dmarc=pass\r\nFrom: ${LEAD}\r\n\r\n`;
    const block = readHeaderBlock(Buffer.from(raw));
    expect(block.ok && sesVerdict(block.fields, LEAD)).toMatchObject({ ok: false, rule: 'unauthenticated-sender' });
    const none = readHeaderBlock(Buffer.from(`From: ${LEAD}\r\n\r\n`));
    expect(none.ok && sesVerdict(none.fields, LEAD)).toMatchObject({ ok: false, rule: 'unauthenticated-sender' });
  });

  it("refuses SPF and DKIM passes for the attacker's own domain when From is the lead address", () => {
    const fields = stored(
      'spf=pass envelope-from=bounce@attacker.example; dkim=pass header.i=@attacker.example; dmarc=fail header.from=navigators.example.org',
    );
    expect(verdict(fields)).toMatchObject({ ok: false, rule: 'unauthenticated-sender' });
  });

  it('refuses a DKIM pass for a sibling or look-alike domain, and a DMARC pass for another From domain', () => {
    for (const d of [
      'attacker.example.org',
      'navigators.example.org.attacker.example',
      'xnavigators.example.org',
      'org',
    ]) {
      expect(verdict(stored(`dkim=pass header.d=${d}; dmarc=none`))).toMatchObject({ ok: false });
    }
    expect(verdict(stored('dmarc=pass header.from=attacker.example'))).toMatchObject({ ok: false });
  });

  it('a DKIM result inside a comment or a quoted string is not a result', () => {
    expect(verdict(stored('spf=none (dkim=pass header.d=navigators.example.org); dmarc=none'))).toMatchObject({
      ok: false,
    });
  });

  it("refuses SES's spam or virus verdict FAIL, whatever the authentication; one the sender added below counts for nothing", () => {
    const pass = 'dmarc=pass header.from=navigators.example.org';
    expect(verdict(stored(pass, [], undefined, ['FAIL', 'PASS']))).toMatchObject({ ok: false, rule: 'spam-verdict' });
    expect(verdict(stored(pass, [], undefined, ['PASS', 'FAIL']))).toMatchObject({ ok: false, rule: 'virus-verdict' });
    expect(verdict(stored(pass, ['X-SES-Virus-Verdict: FAIL']))).toEqual({ ok: true, by: 'dmarc' });
  });
});

describe('the From address', () => {
  const fromOf = (...from: string[]) => {
    const block = readHeaderBlock(
      Buffer.from(`${from.map((f) => `From: ${f}`).join('\r\n')}\r\nTo: x@example.org\r\n\r\n`),
    );
    return block.ok ? singleFromAddress(block.fields) : 'unreadable';
  };

  it('is the one mailbox, lower-cased, with display names, quotes and comments around it', () => {
    expect(fromOf('"Desk, Lead (PAL)" <Leads@Navigators.Example.org>')).toBe(LEAD);
    expect(fromOf('leads@navigators.example.org (Lead Desk)')).toBe(LEAD);
  });

  it('is refused when ambiguous: two From fields, two mailboxes, a group, no address', () => {
    expect(fromOf(LEAD, 'other@attacker.example')).toBeUndefined();
    expect(fromOf(`${LEAD}, other@attacker.example`)).toBeUndefined();
    expect(fromOf(`friends: ${LEAD};`)).toBeUndefined();
    expect(fromOf('Lead Desk')).toBeUndefined();
  });
});

describe('the header block', () => {
  it('unfolds continuation lines and stops at the first empty line', () => {
    const block = readHeaderBlock(Buffer.from('Subject: one\r\n two\r\nFrom: a@example.org\r\n\r\nX-Not: header\r\n'));
    expect(block).toMatchObject({
      ok: true,
      fields: [
        { name: 'subject', value: 'one two' },
        { name: 'from', value: 'a@example.org' },
      ],
    });
  });

  it('is refused when it does not end within the cap, or a field is over 16 KB', () => {
    expect(readHeaderBlock(Buffer.from(`X-Long: ${'a'.repeat(300 * 1024)}\r\n\r\n`))).toMatchObject({ ok: false });
    expect(readHeaderBlock(Buffer.from(`X-Long: a${'\r\n a'.repeat(10000)}\r\n\r\n`))).toMatchObject({ ok: false });
  });
});

describe('alignment and parsing', () => {
  it('aligns a domain with itself and its parents or children only', () => {
    expect(domainsAligned('Mail.Example.org', 'example.org')).toBe(true);
    expect(domainsAligned('example.org', 'a.example.org')).toBe(true);
    expect(domainsAligned('b.example.org', 'a.example.org')).toBe(false);
    expect(domainsAligned('org', 'example.org')).toBe(false);
  });

  it('reads the authserv-id (with an RFC 8601 version) and each method=result with its properties', () => {
    expect(parseAuthenticationResults('amazonses.com 1; dkim=pass (good) header.i="@example.org"; dmarc=pass')).toEqual(
      {
        authservId: 'amazonses.com',
        results: [
          { method: 'dkim', result: 'pass', properties: new Map([['header.i', '@example.org']]) },
          { method: 'dmarc', result: 'pass', properties: new Map() },
        ],
      },
    );
  });
});
