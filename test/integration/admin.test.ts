import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalStack } from '../../infra/local/stack';
import { clearEmails, postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';

/*
 * Ops' tools on the stand-ins: the admin API over HTTP (with the local admin key standing in for
 * IAM) and the pal CLI against the same running stack. Every change must leave an audit record.
 */
const run = promisify(execFile);
const root = join(__dirname, '..', '..');
let stack: LocalStack;
let dataDir: string;
let now = new Date('2026-11-23T15:00:00Z');

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pal-admin-'));
  stack = await startTestStack({ dataDir, clock: () => now });
});
afterAll(async () => {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => clearEmails(stack));

async function admin(method: string, path: string, body?: unknown, key = stack.adminKey) {
  const res = await fetch(`${stack.apiUrl}/admin${path}`, {
    method,
    headers: { 'x-pal-admin-key': key, 'Content-Type': typeof body === 'string' ? 'text/csv' : 'application/json' },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function pal(...args: string[]) {
  try {
    const out = await run(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'infra/cli/pal.ts', ...args],
      {
        cwd: root,
        env: { ...process.env, PAL_DATA_DIR: dataDir, PAL_ACTOR: 'cli:test-ops' },
      },
    );
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function postReferral(changes: Record<string, unknown> = {}) {
  const res = await postJson(`${stack.apiUrl}/referrals`, referralBody(changes));
  const { referralId } = (await res.json()) as { referralId: string };
  await settle(stack);
  return referralId;
}

describe('the admin API', () => {
  it('refuses a caller without the admin key (IAM on AWS)', async () => {
    const res = await admin('GET', '/organizations', undefined, 'wrong');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      type: 'https://pal.example.org/problems/forbidden',
      status: 403,
      issues: [{ field: 'x-pal-admin-key', rule: 'admin-key' }],
    });
  });

  it('lists and shows organizations with their change history', async () => {
    const list = await admin('GET', '/organizations');
    expect(list.status).toBe(200);
    expect(list.body.organizations.length).toBe(17);
    const one = await admin('GET', '/organizations/north-star-community-clinic');
    expect(one.body.organization).toMatchObject({ name: 'North Star Community Clinic', type: 'navigator' });
  });

  it('adds and updates an organization, auditing each field with who, when, old and new value', async () => {
    const org = {
      name: 'Iron Range Navigators',
      type: 'navigator',
      leadEmail: 'leads@iron-range-navigators.example.org',
      coverage: { kind: 'counties', counties: ['27069'] },
      languages: ['en'],
      status: { state: 'active' },
    };
    const added = await admin('PUT', '/organizations/iron-range-navigators', org);
    const updated = await admin('PUT', '/organizations/iron-range-navigators', { ...org, weeklyCapacity: 12 });
    const bad = await admin('PUT', '/organizations/iron-range-navigators', { ...org, type: 'plumber' });

    expect(added.status).toBe(200);
    expect(updated.body.changes).toEqual([{ field: 'weeklyCapacity', newValue: '12' }]);
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({
      type: 'https://pal.example.org/problems/invalid-organization',
      status: 422,
      instance: '/admin/organizations/iron-range-navigators',
    });
    expect(bad.body.issues).toContainEqual(expect.objectContaining({ field: 'type' }));
    const history = (await admin('GET', '/organizations/iron-range-navigators')).body.history as Record<
      string,
      string
    >[];
    expect(history).toContainEqual(
      expect.objectContaining({
        action: 'organization-added',
        field: 'name',
        newValue: 'Iron Range Navigators',
        actor: 'local-admin',
      }),
    );
    expect(history).toContainEqual(
      expect.objectContaining({ action: 'organization-saved', field: 'weeklyCapacity', newValue: '12' }),
    );
    // Kittson had no navigator: a referral from there is routed to the new one at once.
    const referralId = await postReferral({ consumer: { county: 'Kittson', zip: '56728' } });
    expect((await admin('GET', `/referrals/${referralId}`)).body.referral.routing.organizationId).toBe(
      'iron-range-navigators',
    );
  });

  it('changes a lead email at once and tells both the old and the new address', async () => {
    const res = await admin('POST', '/organizations/red-river-valley-assisters/lead-email', {
      leadEmail: 'intake@red-river.example.org',
    });
    expect(res.status).toBe(200);

    const emails = await sentEmails(stack);
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual([
      'intake@red-river.example.org',
      'leads@red-river-valley-assisters.example.org',
    ]);
    expect(emails.every((e) => e.subject === 'Your PAL lead contact changed')).toBe(true);
    const referralId = await postReferral({ consumer: { county: 'Clay', zip: '56560', preferredLanguage: 'en' } });
    const lead = (await sentEmails(stack)).find((e) => e.subject.includes(referralId));
    expect(lead?.destination.to).toEqual(['intake@red-river.example.org']);
    const history = (await admin('GET', '/organizations/red-river-valley-assisters')).body.history;
    expect(history).toContainEqual(
      expect.objectContaining({
        action: 'lead-email-changed',
        field: 'leadEmail',
        oldValue: 'leads@red-river-valley-assisters.example.org',
        newValue: 'intake@red-river.example.org',
      }),
    );
  });

  it('suspends with a reason and a resume date: no leads meanwhile, and it resumes by itself on that Minnesota date', async () => {
    const suspended = await admin('POST', '/organizations/southwest-prairie-health/suspend', {
      reason: 'Office closed for training',
      resumesOn: '2026-11-30',
    });
    const noReason = await admin('POST', '/organizations/southwest-prairie-health/suspend', { reason: ' ' });
    expect(suspended.status).toBe(200);
    expect(noReason.body.issues).toEqual([expect.objectContaining({ field: 'reason', rule: 'required' })]);
    const during = await postReferral({ consumer: { county: 'Nobles', zip: '56187' } });
    expect((await admin('GET', `/referrals/${during}`)).body.referral.status).toBe('unroutable');

    expect(await stack.resumeOrganizations('2026-11-29')).toEqual([]);
    now = new Date('2026-11-30T07:00:00Z');
    expect(await stack.resumeOrganizations('2026-11-30')).toEqual(['southwest-prairie-health']);

    const after = await postReferral({ consumer: { county: 'Nobles', zip: '56187' } });
    expect((await admin('GET', `/referrals/${after}`)).body.referral.routing.organizationId).toBe(
      'southwest-prairie-health',
    );
    const history = (await admin('GET', '/organizations/southwest-prairie-health')).body.history as Record<
      string,
      string
    >[];
    expect(history.map((h) => `${h.action}:${h.actor}`)).toEqual(['suspended:local-admin', 'resumed:auto-resume']);
  });

  it('shows a referral and reassigns it: the new organization gets the lead, the old one is told, the history says who', async () => {
    const referralId = await postReferral({ consumer: { county: 'Hennepin', preferredLanguage: 'so' } });
    const before = (await admin('GET', `/referrals/${referralId}`)).body.referral;
    await clearEmails(stack);

    const res = await admin('POST', `/referrals/${referralId}/reassign`, {
      toOrganizationId: 'twin-cities-health-navigators',
      reason: 'Consumer asked for a Minneapolis office',
    });
    await settle(stack);
    const noReason = await admin('POST', `/referrals/${referralId}/reassign`, {});
    const wrongType = await admin('POST', `/referrals/${referralId}/reassign`, {
      toOrganizationId: 'gopher-state-insurance-brokers',
      reason: 'x',
    });

    expect(before.routing.organizationId).toBe('north-star-community-clinic');
    expect(res.status).toBe(200);
    const emails = await sentEmails(stack);
    expect(
      emails.find((e) => e.destination.to[0] === 'leads@twin-cities-health-navigators.example.org')?.subject,
    ).toContain(referralId);
    expect(emails.find((e) => e.destination.to[0] === 'leads@north-star-community-clinic.example.org')?.subject).toBe(
      `PAL referral ${referralId} reassigned`,
    );
    expect(noReason.body.issues).toEqual([expect.objectContaining({ field: 'reason', rule: 'required' })]);
    expect(wrongType.status).toBe(422);
    const dossier = (await admin('GET', `/referrals/${referralId}`)).body;
    expect(dossier.referral.routing).toMatchObject({
      organizationId: 'twin-cities-health-navigators',
      reassignedFrom: 'north-star-community-clinic',
      reassignedBy: 'local-admin',
    });
    expect(dossier.referral.previousLeads).toHaveLength(1);
    expect(dossier.history).toContainEqual(
      expect.objectContaining({
        action: 'reassigned',
        oldValue: 'north-star-community-clinic',
        newValue: 'twin-cities-health-navigators',
      }),
    );
  });

  it('exports the directory as CSV and refuses an unknown route by name', async () => {
    const res = await fetch(`${stack.apiUrl}/admin/organizations/export`, {
      headers: { 'x-pal-admin-key': stack.adminKey },
    });
    const csv = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.split('\r\n')[0]).toBe(
      'organizationId,name,type,leadEmail,counties,languages,status,suspendedReason,resumesOn,weeklyCapacity,deliveryMode',
    );
    expect(csv).toContain(
      'gopher-state-insurance-brokers,Gopher State Insurance Brokers,broker,leads@gopher-state-insurance-brokers.example.org,statewide,en,active,,,50,',
    );
    expect((await admin('GET', '/nothing-here')).status).toBe(404);
  });

  it('answers every refusal as application/problem+json, and another method on a route with 405', async () => {
    const res = await fetch(`${stack.apiUrl}/admin/organizations/export`, {
      method: 'DELETE',
      headers: { 'x-pal-admin-key': stack.adminKey },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, PUT');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      type: 'https://pal.example.org/problems/method-not-allowed',
      title: 'Method not allowed on this resource',
      status: 405,
      instance: '/admin/organizations/export',
    });
  });
});

describe('the pal CLI against the running stack', () => {
  const csv = [
    'organizationId,name,type,leadEmail,counties,languages,status,suspendedReason,resumesOn,weeklyCapacity,deliveryMode',
    'lakes-country-navigators,Lakes Country Navigators,navigator,leads@lakes-country.example.org,Roseau; Lake of the Woods,en; hmn,active,,,8,',
    'bad-county-org,Bad County Org,navigator,leads@bad.example.org,Atlantis,en,active,,,,',
    'bad-email-org,Bad Email Org,broker,not-an-email,statewide,en,active,,,,',
    'north-star-community-clinic,North Star Community Clinic,navigator,leads@north-star-community-clinic.example.org,Hennepin; Ramsey,en; so; om; am,active,,,20,',
  ].join('\r\n');

  it('imports with a dry run that shows the diff and names each bad row, then imports the good ones as it said', async () => {
    const file = join(dataDir, 'import.csv');
    writeFileSync(file, csv);

    const dry = await pal('orgs', 'import', file, '--dry-run');
    const strict = await pal('orgs', 'import', file, '--strict');
    const listedBefore = (await admin('GET', '/organizations')).body.organizations.length;
    const real = await pal('orgs', 'import', file);

    expect(dry.stdout).toContain('add     lakes-country-navigators');
    expect(dry.stdout).toMatch(/change {2}north-star-community-clinic\n\s+weeklyCapacity: 15 → 20/);
    expect(dry.stdout).toMatch(
      /refuse {2}row 3 \(bad-county-org\)\n\s+counties \[minnesota-county\]: "Atlantis" is not a Minnesota county/,
    );
    expect(dry.stdout).toMatch(/refuse {2}row 4 \(bad-email-org\)\n\s+leadEmail \[format:email\]/);
    expect(dry.stdout).toContain('Dry run: 1 would be added, 1 changed; 2 refused.');
    expect(strict.stdout).toContain('Imported 0 organization(s)');
    expect(real.stdout).toContain('Imported 2 organization(s) on the local stack; 2 row(s) refused.');
    expect(real.stderr).toContain('Importing [##############################] 2/2');
    const after = (await admin('GET', '/organizations')).body.organizations as {
      organizationId: string;
      weeklyCapacity?: number;
    }[];
    expect(after.length).toBe(listedBefore + 1);
    expect(after.find((o) => o.organizationId === 'north-star-community-clinic')?.weeklyCapacity).toBe(20);
    expect(after.some((o) => o.organizationId === 'bad-county-org')).toBe(false);
    const history = (await admin('GET', '/organizations/north-star-community-clinic')).body.history;
    expect(history).toContainEqual(
      expect.objectContaining({
        action: 'imported',
        actor: 'cli:test-ops',
        field: 'weeklyCapacity',
        oldValue: '15',
        newValue: '20',
      }),
    );
  });

  it('suspends and resumes, naming a missing reason', async () => {
    const missing = await pal('orgs', 'suspend', 'west-central-navigators');
    const suspended = await pal('orgs', 'suspend', 'west-central-navigators', '--reason', 'Director on leave');
    const resumed = await pal('orgs', 'resume', 'west-central-navigators');

    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --reason');
    expect(suspended.stdout).toMatch(
      /status: \{"state":"active"\} → \{"state":"suspended","reason":"Director on leave"/,
    );
    expect(resumed.stdout).toMatch(/status: .*"suspended".* → \{"state":"active"\}/);
  });
});
