import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../infra/local/stack';
import { DynamoAssignmentLedger } from '../../shared/adapters/dynamo-assignment-ledger.adapter';
import { loadPeriodsOf } from '../../shared/domain/load-periods';
import { loadDefaultReportingCalendar } from '../../shared/domain/reporting-calendar';
import { recountWindow } from '../../shared/use-cases/recount-loads';
import { storesOf } from './support/directory';
import { postJson, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';

/*
 * The load counters on dynalite over HTTP: the local stand-in's TransactWriteItems (all or nothing,
 * with DynamoDB's cancellation reasons), a reassignment moving the slot with the lead, and the
 * recount ops run to rebuild a window's counters from its referrals.
 */
let stack: LocalStack;
let dataDir: string;
const calendar = loadDefaultReportingCalendar();

beforeAll(async () => {
  // A data folder, so the pal CLI finds this stack (its stack.json) as it finds `npm start`'s.
  dataDir = mkdtempSync(join(tmpdir(), 'pal-loads-'));
  stack = await startTestStack({ dataDir });
}, 30_000);
afterAll(async () => {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function pal(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = join(__dirname, '..', '..');
  try {
    const out = await promisify(execFile)(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'infra/cli/pal.ts', ...args],
      { cwd: root, env: { ...process.env, PAL_DATA_DIR: dataDir } },
    );
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function ledger() {
  const { doc } = storesOf(stack);
  return new DynamoAssignmentLedger(doc, stack.config.routing.REFERRALS_TABLE, stack.config.routing.DIRECTORY_TABLE);
}

async function routedReferral(county: string) {
  const res = await postJson(`${stack.apiUrl}/referrals`, referralBody({ consumer: { county, zip: undefined } }));
  const { referralId } = (await res.json()) as { referralId: string };
  await settle(stack);
  return (await storesOf(stack).referrals.get(referralId))!;
}

describe('the local TransactWriteItems', () => {
  it('writes nothing when one condition fails, and names each action: None, or the condition that failed', async () => {
    const { doc } = storesOf(stack);
    const TableName = stack.config.routing.DIRECTORY_TABLE;
    const items = (condition: string) => [
      { Put: { TableName, Item: { pk: 'TEST#tx', sk: 'first', n: 1 } } },
      {
        Update: {
          TableName,
          Key: { pk: 'TEST#tx', sk: 'second' },
          UpdateExpression: 'ADD n :one',
          ConditionExpression: condition,
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
    ];

    const refused = await doc.send(new TransactWriteCommand({ TransactItems: items('attribute_exists(n)') })).then(
      () => undefined,
      (error: unknown) => error as { name: string; CancellationReasons?: { Code: string }[] },
    );
    const first = await doc.send(
      new GetCommand({ TableName, Key: { pk: 'TEST#tx', sk: 'first' }, ConsistentRead: true }),
    );
    await doc.send(new TransactWriteCommand({ TransactItems: items('attribute_not_exists(n)') }));
    const second = await doc.send(
      new GetCommand({ TableName, Key: { pk: 'TEST#tx', sk: 'second' }, ConsistentRead: true }),
    );

    expect(refused?.name).toBe('TransactionCanceledException');
    expect(refused?.CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(first.Item).toBeUndefined();
    expect(second.Item).toMatchObject({ n: 1 });
  });
});

describe('a reassignment', () => {
  it('releases the slot at the organization the lead leaves and takes one at the one it goes to', async () => {
    const referral = await routedReferral('Hennepin');
    const from = referral.routing!.organizationId!;
    const to =
      'twin-cities-health-navigators' === from ? 'north-star-community-clinic' : 'twin-cities-health-navigators';
    const periods = loadPeriodsOf(referral.referredAt, calendar);
    const before = await ledger().loadsOf([from, to], periods);

    const res = await fetch(`${stack.apiUrl}/admin/referrals/${referral.referralId}/reassign`, {
      method: 'POST',
      headers: { 'x-pal-admin-key': stack.adminKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ toOrganizationId: to, reason: 'Consumer asked for another office' }),
    });
    await settle(stack);
    const after = await ledger().loadsOf([from, to], periods);

    expect(res.status).toBe(200);
    expect(after.get(from)!.leadsThisWeek).toBe(before.get(from)!.leadsThisWeek - 1);
    expect(after.get(from)!.leadsThisWindow).toBe(before.get(from)!.leadsThisWindow - 1);
    expect(after.get(to)!.leadsThisWeek).toBe(before.get(to)!.leadsThisWeek + 1);
    expect(after.get(to)!.lastAssignedAt).toBe(referral.referredAt);
  });
});

describe('recounting a reporting window', () => {
  it("sets every organization's window and week counters to the leads its referrals hold", async () => {
    const routed = await Promise.all(['Hennepin', 'Ramsey', 'Hennepin'].map((county) => routedReferral(county)));
    const periods = loadPeriodsOf(routed[0]!.referredAt, calendar);
    const orgs = [...new Set(routed.map((r) => r.routing!.organizationId!))];
    const counted = await ledger().loadsOf(orgs, periods);
    // Counters gone wrong (as after a deploy in the middle of a window, or a repair).
    for (const org of orgs)
      await ledger().setCounts(org, { ...periods, window: 0, weeks: new Map([[periods.weekOf, 0]]) });

    const { directory, referrals } = storesOf(stack);
    const result = await recountWindow({ directory, referrals, ledger: ledger(), calendar }, periods.windowId!);
    const recounted = await ledger().loadsOf(orgs, periods);

    expect(result.windowId).toBe(periods.windowId);
    for (const org of orgs) {
      expect(recounted.get(org)!.leadsThisWeek).toBe(counted.get(org)!.leadsThisWeek);
      expect(recounted.get(org)!.leadsThisWindow).toBe(counted.get(org)!.leadsThisWindow);
    }
    await expect(
      recountWindow({ directory, referrals, ledger: ledger(), calendar }, '2026-13-01_x'),
    ).rejects.toMatchObject({
      field: 'windowId',
      rule: 'known-window',
    });
  });

  it('is what `pal loads recount WINDOW_ID` runs; an unknown window is refused by name', async () => {
    const referral = await routedReferral('Hennepin');
    const periods = loadPeriodsOf(referral.referredAt, calendar);
    const org = referral.routing!.organizationId!;
    const counted = (await ledger().loadsOf([org], periods)).get(org)!;
    await ledger().setCounts(org, { ...periods, window: 0, weeks: new Map([[periods.weekOf, 0]]) });

    const done = await pal('loads', 'recount', periods.windowId!);
    const refused = await pal('loads', 'recount', 'last-week');

    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^Recounted \S+: \d+ lead\(s\) over \d+ organization\(s\)/);
    expect((await ledger().loadsOf([org], periods)).get(org)).toEqual(counted);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('windowId [known-window]: last-week is not a reporting window');
  });
});
