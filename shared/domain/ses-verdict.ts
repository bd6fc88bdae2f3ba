import type { HeaderField } from './mail-headers';
import { domainOf } from './mail-headers';

/*
 * Whether SES itself proved an inbound email's From address. SES receiving prepends a trace block
 * to every message it stores: Return-Path, Received, X-SES-Spam-Verdict and X-SES-Virus-Verdict
 * (with the receipt rule's scanning on), Received-SPF, `Authentication-Results: amazonses.com;
 * spf=… dkim=… header.i=@… dmarc=… header.from=…`, X-SES-RECEIPT and X-SES-DKIM-SIGNATURE; the
 * sender's own headers follow it (see AWS's "Contents of notifications for Amazon SES email
 * receiving", https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html,
 * for the verdicts, and its examples, .../receiving-email-notifications-examples.html, for the
 * headers). So only the topmost Authentication-Results counts, and only if its authserv-id is
 * amazonses.com; anything below it may be the sender's own text. SPF alone proves nothing about
 * From (it checks the envelope sender, which the attacker picks): DMARC pass, or a DKIM pass for a
 * domain aligned with From's, is required.
 */

export type SenderVerdict =
  | { ok: true; by: 'dmarc' | 'dkim' }
  | { ok: false; rule: 'unauthenticated-sender' | 'spam-verdict' | 'virus-verdict'; detail: string };

interface ResultInfo {
  readonly method: string;
  readonly result: string;
  readonly properties: ReadonlyMap<string, string>;
}

/** The verdict on a message's header fields (topmost first) for the From domain given. */
export function sesVerdict(fields: readonly HeaderField[], fromAddress: string): SenderVerdict {
  const top = fields.findIndex((f) => f.name === 'authentication-results');
  if (top < 0) return refused('no Authentication-Results from SES');
  const results = parseAuthenticationResults(fields[top]!.value);
  if (results?.authservId !== 'amazonses.com') return refused('the topmost Authentication-Results is not SES’s');

  // SES writes its scan verdicts above its Authentication-Results; any below are the sender's.
  const sesBlock = fields.slice(0, top);
  const spam = sesBlock
    .find((f) => f.name === 'x-ses-spam-verdict')
    ?.value.trim()
    .toUpperCase();
  const virus = sesBlock
    .find((f) => f.name === 'x-ses-virus-verdict')
    ?.value.trim()
    .toUpperCase();
  if (virus === 'FAIL') return { ok: false, rule: 'virus-verdict', detail: 'SES found a virus' };
  if (spam === 'FAIL') return { ok: false, rule: 'spam-verdict', detail: 'SES judged it spam' };

  const fromDomain = domainOf(fromAddress);
  const dmarc = results.results.find((r) => r.method === 'dmarc');
  if (dmarc?.result === 'pass' && (dmarc.properties.get('header.from') ?? fromDomain) === fromDomain) {
    return { ok: true, by: 'dmarc' };
  }
  const alignedDkim = results.results.some(
    (r) =>
      r.method === 'dkim' &&
      r.result === 'pass' &&
      [r.properties.get('header.d'), r.properties.get('header.i')].some(
        (d) => d !== undefined && domainsAligned(domainOf(d), fromDomain),
      ),
  );
  return alignedDkim
    ? { ok: true, by: 'dkim' }
    : refused('neither DMARC nor a DKIM signature aligned with From passed');
}

function refused(detail: string): SenderVerdict {
  return { ok: false, rule: 'unauthenticated-sender', detail };
}

/**
 * DMARC's relaxed alignment asks for the same organizational domain, which needs the public suffix
 * list. This is a stricter reading that needs none: the same domain, or one a subdomain of the
 * other (mail.example.org signs for example.org, and the reverse); sibling subdomains do not align,
 * nor does a single-label domain. A lead contact whose DKIM domain is a sibling still passes by DMARC.
 */
export function domainsAligned(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/\.$/, '');
  const y = b.toLowerCase().replace(/\.$/, '');
  if (!x.includes('.') || !y.includes('.')) return false;
  return x === y || x.endsWith(`.${y}`) || y.endsWith(`.${x}`);
}

/**
 * An Authentication-Results value (RFC 8601): `authserv-id [version] ; method=result ptype.prop=value … ; …`.
 * One pass: comments `( … )` (nested, with escapes) and quoted strings are skipped, then `;` splits.
 * Undefined when there is no authserv-id.
 */
export function parseAuthenticationResults(value: string): { authservId: string; results: ResultInfo[] } | undefined {
  const statements = splitStatements(value);
  const authservId = statements.shift()?.split(' ')[0]?.toLowerCase();
  if (!authservId) return undefined;
  const results: ResultInfo[] = [];
  for (const statement of statements) {
    const [head, ...rest] = statement.split(' ').filter((t) => t.length > 0);
    const eq = head?.indexOf('=') ?? -1;
    if (!head || eq <= 0) continue;
    const properties = new Map<string, string>();
    for (const token of rest) {
      const i = token.indexOf('=');
      if (i > 0) properties.set(token.slice(0, i).toLowerCase(), token.slice(i + 1).toLowerCase());
    }
    results.push({ method: head.slice(0, eq).toLowerCase(), result: head.slice(eq + 1).toLowerCase(), properties });
  }
  return { authservId, results };
}

/** The `;`-separated statements with comments dropped, quotes unwrapped and whitespace collapsed. */
function splitStatements(value: string): string[] {
  const statements: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (depth > 0) {
      if (c === '\\') i++;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
    } else if (quoted) {
      if (c === '\\') current += value[++i] ?? '';
      else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '(') {
      depth = 1;
      current += ' ';
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      statements.push(current);
      current = '';
    } else current += c === '\t' || c === '\r' || c === '\n' ? ' ' : c;
  }
  statements.push(current);
  return statements.map((s) => s.trim().replace(/ {2,}/g, ' ')).filter((s, i) => i === 0 || s.length > 0);
}
