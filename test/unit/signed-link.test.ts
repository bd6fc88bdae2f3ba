import { checkLinkToken, deriveKey, issueLinkToken } from '../../shared/domain/signed-link';
import { reportLinks } from '../../shared/use-cases/report-links';

const secret = deriveKey(Buffer.from('a-signing-secret-of-at-least-32-characters'), 'link-token');
const report = { reportId: '2017-11-01_2017-11-15.org-a', organizationId: 'org-a', dueDate: '2017-11-29' };
const claims = {
  scope: 'report-download' as const,
  subject: report.reportId,
  organizationId: 'org-a',
  exp: 1_800_000_000,
};
const before = new Date(1_700_000_000_000);

describe('signed link tokens', () => {
  it('open exactly the report they were issued for, until they expire', () => {
    const token = issueLinkToken(claims, secret);

    expect(checkLinkToken(token, { scope: 'report-download', subject: report.reportId }, secret, before)).toEqual({
      ok: true,
      claims,
    });
    expect(
      checkLinkToken(
        token,
        { scope: 'report-download', subject: report.reportId },
        secret,
        new Date(1_800_000_000_000),
      ),
    ).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it.each([
    ['another report', { scope: 'report-download', subject: '2017-11-01_2017-11-15.org-b' }, 'wrong-subject'],
    ['an upload', { scope: 'report-upload', subject: report.reportId }, 'wrong-scope'],
  ] as const)('do not open %s', (_label, expected, reason) => {
    expect(checkLinkToken(issueLinkToken(claims, secret), expected, secret, before)).toEqual({ ok: false, reason });
  });

  it('are refused when any character of the claims or the signature changes', () => {
    const token = issueLinkToken(claims, secret);
    const [body, signature] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...claims, subject: 'x', exp: 9_999_999_999 })).toString('base64url');
    const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');
    const expected = { scope: 'report-download', subject: report.reportId } as const;

    expect(checkLinkToken(`${forged}.${signature}`, expected, secret, before)).toEqual({
      ok: false,
      reason: 'tampered',
    });
    expect(checkLinkToken(`${body}.${flip(signature)}`, expected, secret, before)).toEqual({
      ok: false,
      reason: 'tampered',
    });
    expect(checkLinkToken(`${flip(body)}.${signature}`, expected, secret, before)).toEqual({
      ok: false,
      reason: 'tampered',
    });
    expect(checkLinkToken(undefined, expected, secret, before)).toEqual({ ok: false, reason: 'malformed' });
    expect(checkLinkToken('not a token', expected, secret, before)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('signed with one purpose key are refused under another (a link token is not a sheet signature)', () => {
    const root = Buffer.from('a-signing-secret-of-at-least-32-characters');
    const token = issueLinkToken(claims, deriveKey(root, 'link-token'));
    expect(
      checkLinkToken(
        token,
        { scope: 'report-download', subject: report.reportId },
        deriveKey(root, 'report-identity'),
        before,
      ),
    ).toEqual({ ok: false, reason: 'tampered' });
  });
});

describe('report links', () => {
  const settings = {
    publicApiUrl: 'https://reports.example.org',
    signingSecret: Buffer.from('s'.repeat(40)),
    linkGraceDays: 14,
  };

  it('live until the due date plus the grace days, in Minnesota', () => {
    const links = reportLinks(settings, report, '2017-11-22');
    const exp = (url: string) =>
      JSON.parse(Buffer.from(new URL(url).searchParams.get('token')!.split('.')[0]!, 'base64url').toString())
        .exp as number;

    expect(links.expiresOn).toBe('2017-12-13');
    // Midnight at the end of Dec 13 in Minnesota (CST, UTC-6).
    expect(new Date(exp(links.downloadUrl) * 1000).toISOString()).toBe('2017-12-14T06:00:00.000Z');
    expect(links.uploadUrl).toMatch(
      /^https:\/\/reports\.example\.org\/reports\/2017-11-01_2017-11-15\.org-a\/upload\?token=/,
    );
  });

  it('sent after the due date (a backfill) live the grace days from the day they are sent', () => {
    expect(reportLinks(settings, report, '2018-03-01').expiresOn).toBe('2018-03-15');
  });
});
