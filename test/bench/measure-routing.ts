/**
 * Routing's cost as the window fills, and capacity under a burst, on the local stack, in its own process:
 *   tsx test/bench/measure-routing.ts [burstReferrals=300] [clients=20]
 * Prints one JSON line last:
 *   { routingCost: { "1000": {requests, capacityUnits}, "50000": {…} }, burst: { referrals, clients,
 *     slots, routed, unroutable, overCapacity } }.
 *
 * routingCost. Three navigators (no capacity set) serve one county; the window already holds 1,000,
 * then 50,000 of their leads, written straight into the referrals table as routing leaves them, with
 * the organizations' load counters rebuilt by `recountWindow` (what ops run after a deploy). Then one
 * new referral is routed by the route-referral use case, from reading it to its lead email marked
 * sent, with the production adapters; every DynamoDB request it makes is counted and asks for
 * `ReturnConsumedCapacity: TOTAL`, whose units are summed (dynalite computes them as DynamoDB bills:
 * by item size, per item read or written; transactional writes twice). A warm-up routing runs first.
 * These are counts, not timings: the same on any machine.
 *
 * burst. Three navigators serving another county have 40 + 20 + 15 weekly slots; `burstReferrals`
 * referrals are POSTed by `clients` concurrent clients, and once the bus is idle each organization's
 * leads are counted from the referrals. overCapacity is the sum, over the organizations, of the leads
 * past their weekly capacity (0 is the rule).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, startLocalStack } from '../../infra/local/stack';
import { documentClient, observeClients } from '../../shared/adapters/aws-clients';
import { DynamoAssisterDirectory } from '../../shared/adapters/dynamo-directory.adapter';
import { DynamoReferralStore } from '../../shared/adapters/dynamo-referral-store.adapter';
import { buildRouteReferralDeps } from '../../shared/wiring/routing';
import { minnesotaDateOf } from '../../shared/domain/minnesota-time';
import type { Organization } from '../../shared/domain/organization';
import { OrganizationSchema } from '../../shared/domain/organization';
import type { Referral } from '../../shared/domain/referral';
import { referralIdFor } from '../../shared/domain/referral';
import { recountWindow } from '../../shared/use-cases/recount-loads';
import { routeReferral } from '../../shared/use-cases/route-referral';

type Json = Record<string, unknown>;

const root = join(__dirname, '..', '..');
const sample = JSON.parse(readFileSync(join(root, 'examples', 'referral.json'), 'utf8')) as Json;
const COST_COUNTY = { name: 'Stearns', fips: '27145' };
const BURST_COUNTY = { name: 'Olmsted', fips: '27109' };
const BURST_CAPACITIES = [40, 20, 15];

function navigator(organizationId: string, countyFips: string, weeklyCapacity?: number): Organization {
  return OrganizationSchema.parse({
    organizationId,
    name: `Bench ${organizationId}`,
    type: 'navigator',
    leadEmail: `leads@${organizationId}.example.org`,
    coverage: { kind: 'counties', counties: [countyFips] },
    languages: ['en', 'es'],
    status: { state: 'active' },
    ...(weeklyCapacity !== undefined && { weeklyCapacity }),
  });
}

function body(i: number, county: string): Json {
  return {
    ...sample,
    crmReferralId: `CRM-ROUTING-BENCH-${process.pid}-${county}-${i}`,
    consumer: {
      ...(sample.consumer as Json),
      county,
      zip: undefined,
      phone: `(320) 7${String(Math.floor(i / 10_000)).padStart(2, '0')}-${String(i % 10_000).padStart(4, '0')}`,
      email: `routing-bench-${county.toLowerCase()}-${i}@example.org`,
    },
  };
}

/** Counts the DynamoDB requests of the clients built while it is on, and their consumed capacity. */
class Meter {
  requests = 0;
  capacityUnits = 0;
  on = false;

  observe(client: unknown): void {
    if (!(client instanceof DynamoDBClient)) return;
    client.middlewareStack.add(
      (next) => async (args) => {
        if (!this.on) return next(args);
        (args.input as Json).ReturnConsumedCapacity = 'TOTAL';
        const out = await next(args);
        this.requests++;
        const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        for (const c of [consumed].flat() as ({ CapacityUnits?: number } | undefined)[]) {
          this.capacityUnits += c?.CapacityUnits ?? 0;
        }
        return out;
      },
      { step: 'initialize', name: 'benchConsumedCapacity' },
    );
  }
}

async function main(): Promise<void> {
  const burstReferrals = Number(process.argv[2] ?? 300);
  const clients = Number(process.argv[3] ?? 20);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const stack = await startLocalStack({
    apiPort: 0,
    sesPort: 0,
    retry: { maxAttempts: 20, maxEventAgeMs: 10 * 60 * 1000, baseDelayMs: 100, maxDelayMs: 2000 },
    sweepEveryMs: 0,
    dailyJobs: false,
    seedDemoDirectory: false,
  });
  try {
    const config = stack.config.routing;
    const doc = documentClient(config, LOCAL_CREDENTIALS);
    const directory = new DynamoAssisterDirectory(doc, config.DIRECTORY_TABLE);
    const referrals = new DynamoReferralStore(doc, config.REFERRALS_TABLE);
    const costOrgs = ['bench-cost-a', 'bench-cost-b', 'bench-cost-c'].map((id) => navigator(id, COST_COUNTY.fips));
    const burstOrgs = BURST_CAPACITIES.map((cap, i) => navigator(`bench-burst-${i}`, BURST_COUNTY.fips, cap));
    for (const org of [...costOrgs, ...burstOrgs]) await directory.put(org);

    const meter = new Meter();
    observeClients((client) => meter.observe(client));
    const deps = buildRouteReferralDeps(config, LOCAL_CREDENTIALS);
    observeClients(undefined);

    // A template lead as routing leaves it: posted, routed and emailed by the stack itself.
    const templateId = await post(stack.apiUrl, body(0, COST_COUNTY.name));
    await stack.bus.idle();
    const template = (
      await doc.send(new GetCommand({ TableName: config.REFERRALS_TABLE, Key: { referralId: templateId } }))
    ).Item as Json;
    const domainTemplate = (await referrals.get(templateId))!;

    let seeded = 1;
    let fresh = 1;
    const routingCost: Record<string, { requests: number; capacityUnits: number }> = {};
    for (const leads of [1000, 50_000]) {
      await seedLeads(doc, config.REFERRALS_TABLE, template, costOrgs, seeded, leads);
      seeded = leads;
      // Outside every reporting window (a gap in the calendar) there is no window counter to rebuild.
      const windowId = windowIdOf(deps, template);
      if (windowId)
        await recountWindow({ directory, referrals, ledger: deps.ledger, calendar: deps.calendar }, windowId);
      const once = async () => {
        const referral = freshReferral(domainTemplate, fresh++);
        await referrals.create(referral);
        return referral.referralId;
      };
      await routeReferral(deps, await once()); // warm-up: connections, first-call set-up
      const measured = await once();
      meter.requests = 0;
      meter.capacityUnits = 0;
      meter.on = true;
      await routeReferral(deps, measured);
      meter.on = false;
      routingCost[String(leads)] = { requests: meter.requests, capacityUnits: round(meter.capacityUnits) };
    }

    // The burst: many referrals at once for organizations with weekly capacities.
    let next = 0;
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < burstReferrals) ids.push(await post(stack.apiUrl, body(next++, BURST_COUNTY.name)));
      }),
    );
    await stack.bus.idle();
    const stored = await Promise.all(ids.map((id) => referrals.get(id)));
    const leads = new Map<string, number>();
    for (const r of stored) {
      const org = r?.routing?.organizationId;
      if (org) leads.set(org, (leads.get(org) ?? 0) + 1);
    }
    const overCapacity = burstOrgs.reduce(
      (sum, org) => sum + Math.max(0, (leads.get(org.organizationId) ?? 0) - org.weeklyCapacity!),
      0,
    );
    console.log(
      JSON.stringify({
        routingCost,
        burst: {
          referrals: burstReferrals,
          clients,
          slots: BURST_CAPACITIES.reduce((a, b) => a + b, 0),
          routed: stored.filter((r) => r?.routing?.outcome === 'routed').length,
          unroutable: stored.filter((r) => r?.status === 'unroutable').length,
          overCapacity,
        },
      }),
    );
  } finally {
    await stack.stop();
  }
}

async function post(apiUrl: string, referral: Json): Promise<string> {
  const res = await fetch(`${apiUrl}/referrals`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(referral),
  });
  const answer = (await res.json()) as { referralId?: string };
  if (res.status !== 201 || !answer.referralId) throw new Error(`POST answered ${res.status}`);
  return answer.referralId;
}

/** Leads [from, to) of the window: copies of the template, spread over the organizations, a millisecond apart. */
async function seedLeads(
  doc: ReturnType<typeof documentClient>,
  table: string,
  template: Json,
  organizations: readonly Organization[],
  from: number,
  to: number,
): Promise<void> {
  const start = Date.parse(String(template.referredAt));
  const items = Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    const organizationId = organizations[i % organizations.length]!.organizationId;
    const { publishPending: _pending, ...item } = template;
    return {
      ...item,
      referralId: referralIdFor(`routing-bench-seed-${i}`),
      crmReferralId: `CRM-ROUTING-BENCH-SEED-${i}`,
      referredAt: new Date(start - i).toISOString(),
      assignedOrganizationId: organizationId,
      routing: { ...(template.routing as Json), organizationId },
    };
  });
  const batches: Json[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let n = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (n < batches.length) {
        let pending: unknown = { [table]: batches[n++]!.map((Item) => ({ PutRequest: { Item } })) };
        while (pending && Object.keys(pending as Json).length > 0) {
          const out = await doc.send(new BatchWriteCommand({ RequestItems: pending as never }));
          pending = out.UnprocessedItems;
        }
      }
    }),
  );
}

function freshReferral(template: Referral, n: number): Referral {
  const { routing: _r, lead: _l, previousLeads: _p, publishedAt: _pa, ...rest } = template;
  const crmReferralId = `CRM-ROUTING-BENCH-FRESH-${process.pid}-${n}`;
  return {
    ...rest,
    referralId: referralIdFor(crmReferralId),
    crmReferralId,
    status: 'received',
    consumer: { ...template.consumer, phone: `+1320555${String(n).padStart(4, '0')}`, email: `fresh-${n}@example.org` },
  };
}

function windowIdOf(deps: ReturnType<typeof buildRouteReferralDeps>, template: Json): string | undefined {
  return deps.calendar.windowContaining(minnesotaDateOf(new Date(String(template.referredAt))))?.id;
}

const round = (n: number) => Math.round(n * 100) / 100;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
