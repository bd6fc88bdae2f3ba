import type { LocalStack } from '../../infra/local/stack';
import { DynamoAuditLog } from '../../shared/adapters/dynamo-audit-log.adapter';
import { ConcurrentUpdateError } from '../../shared/domain/errors';
import type { Organization } from '../../shared/domain/organization';
import type { AssisterDirectory } from '../../shared/ports/assister-directory.port';
import type { Log } from '../../shared/ports/logger.port';
import type { DirectoryAdminDeps } from '../../shared/use-cases/admin/organizations';
import { changeOrganization } from '../../shared/use-cases/admin/organizations';
import { suspendOrganization } from '../../shared/use-cases/admin/directory-admin';
import { storesOf } from './support/directory';
import { startTestStack } from './support/local-stack';

/*
 * Writes to one organization that overlap: a bounce handler marking the contact failing while ops
 * suspend the organization, and ops saving a whole record made before the bounce. Neither may undo
 * the other, on the real adapter against dynalite.
 */
const ORG = 'twin-cities-health-navigators';
let stack: LocalStack;
let stores: ReturnType<typeof storesOf>;
let audit: DynamoAuditLog;

beforeAll(async () => {
  stack = await startTestStack();
  stores = storesOf(stack);
  audit = new DynamoAuditLog(stores.doc, stack.config.admin.AUDIT_TABLE);
});
afterAll(() => stack.stop());

async function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.apiUrl}/admin${path}`, {
    method,
    headers: { 'x-pal-admin-key': stack.adminKey, 'Content-Type': 'application/json', ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, etag: res.headers.get('etag'), body: (await res.json()) as Record<string, unknown> };
}

/**
 * The real directory, except that the first `parties` reads wait for one another before returning:
 * every writer has read the same version before any of them writes, the overlap a busy moment gives.
 */
function directoryWhoseWritersOverlap(parties: number) {
  const real = stores.directory;
  const arrived: (() => void)[] = [];
  let reads = 0;
  let conflicts = 0;
  const directory: AssisterDirectory = {
    candidatesFor: (type, county) => real.candidatesFor(type, county),
    get: (id) => real.get(id),
    list: () => real.list(),
    async getVersioned(id) {
      const stored = await real.getVersioned(id);
      if (++reads <= parties) {
        await new Promise<void>((resolve) => {
          arrived.push(resolve);
          if (arrived.length === parties) arrived.forEach((release) => release());
        });
      }
      return stored;
    },
    async put(organization, expectedVersion) {
      try {
        await real.put(organization, expectedVersion);
      } catch (error) {
        if (error instanceof ConcurrentUpdateError) conflicts++;
        throw error;
      }
    },
  };
  return { directory, reads: () => reads, conflicts: () => conflicts };
}

function depsWith(directory: AssisterDirectory): DirectoryAdminDeps {
  const log: Log = { debug() {}, info() {}, warn() {}, error() {} };
  return { directory, audit, log, clock: () => new Date() };
}

describe('overlapping changes to one organization', () => {
  it('keeps both a bounce and a suspension made at the same moment, each audited against what it replaced', async () => {
    // Prepare: two writers that both read the organization before either writes.
    const overlap = directoryWhoseWritersOverlap(2);
    const deps = depsWith(overlap.directory);
    const since = new Date().toISOString();

    // Act
    await Promise.all([
      suspendOrganization(deps, ORG, 'Staff on leave', undefined, 'ops:test'),
      changeOrganization(
        deps,
        ORG,
        (current) => ({ ...current, leadContactStatus: { state: 'failing', since, reason: 'bounce' } }),
        'ses-feedback',
        'lead-contact-failing',
      ),
    ]);

    // Assess: one write lost the race, read again, and reapplied its change on top of the other.
    expect(overlap.conflicts()).toBe(1);
    expect(overlap.reads()).toBe(3);
    const org = (await stores.directory.get(ORG))!;
    expect(org.status).toMatchObject({ state: 'suspended', reason: 'Staff on leave' });
    expect(org.leadContactStatus).toEqual({ state: 'failing', since, reason: 'bounce' });
    const history = await audit.list(`organization#${ORG}`);
    expect(history.map((h) => h.field).sort()).toEqual(['leadContactStatus', 'status']);
    const failing = history.find((h) => h.field === 'leadContactStatus')!;
    expect(failing).toMatchObject({ actor: 'ses-feedback', newValue: expect.stringContaining('failing') });
  });

  it("keeps the contact's failing mark when ops save a whole record without it, and drops it for a new address", async () => {
    // Prepare: a copy of the record as ops had it before the bounce (no contact status).
    const copy = (await admin('GET', `/organizations/north-star-community-clinic`)).body.organization as Organization;
    const { leadContactStatus: _none, ...before } = copy;
    const since = new Date().toISOString();
    await changeOrganization(
      depsWith(stores.directory),
      copy.organizationId,
      (current) => ({ ...current, leadContactStatus: { state: 'failing', since, reason: 'complaint' } }),
      'ses-feedback',
      'lead-contact-failing',
    );

    // Act: ops raise the capacity from their older copy, then move leads to a new address.
    const saved = await admin('PUT', `/organizations/${copy.organizationId}`, { ...before, weeklyCapacity: 40 });
    const afterSave = await stores.directory.get(copy.organizationId);
    const moved = await admin('PUT', `/organizations/${copy.organizationId}`, {
      ...before,
      weeklyCapacity: 40,
      leadEmail: 'intake@north-star-community-clinic.example.org',
    });
    const afterMove = await stores.directory.get(copy.organizationId);

    // Assess
    expect(saved.status).toBe(200);
    expect(afterSave).toMatchObject({ weeklyCapacity: 40, leadContactStatus: { state: 'failing', since } });
    expect(moved.status).toBe(200);
    expect(afterMove?.leadEmail).toBe('intake@north-star-community-clinic.example.org');
    expect(afterMove?.leadContactStatus).toBeUndefined();
  });

  it('refuses an edit made from a stale copy (If-Match) with 412, and saves one made from the current copy', async () => {
    // Prepare: two people open the same organization; the first saves a change.
    const path = '/organizations/west-central-navigators';
    const first = await admin('GET', path);
    const second = await admin('GET', path);
    const organization = first.body.organization as Organization;
    const saved = await admin('PUT', path, { ...organization, weeklyCapacity: 9 }, { 'If-Match': first.etag! });

    // Act: the second saves from the copy they opened before that change, then again after reloading.
    const stale = await admin('PUT', path, { ...organization, languages: ['en', 'so'] }, { 'If-Match': second.etag! });
    const reloaded = await admin('GET', path);
    const retried = await admin(
      'PUT',
      path,
      { ...(reloaded.body.organization as Organization), languages: ['en', 'so'] },
      { 'If-Match': reloaded.etag! },
    );
    const malformed = await admin('PUT', path, organization, { 'If-Match': 'yesterday' });

    // Assess
    expect(first.etag).toMatch(/^"v\d+"$/);
    expect(saved.status).toBe(200);
    expect(saved.etag).not.toBe(first.etag);
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({
      type: 'https://pal.example.org/problems/stale-copy',
      status: 412,
      issues: [{ field: 'If-Match', rule: 'current-version' }],
    });
    expect(reloaded.etag).toBe(saved.etag);
    expect(retried.status).toBe(200);
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ issues: [{ field: 'If-Match', rule: 'etag' }] });
    expect(await stores.directory.get('west-central-navigators')).toMatchObject({
      weeklyCapacity: 9,
      languages: ['en', 'so'],
    });
  });
});
