/**
 * Intake → lead email on the local stack, in its own process:
 *   tsx test/bench/measure-intake.ts RATE REFERRALS
 * Prints one JSON line: a LoadFigure (open-loop.ts).
 *
 * Method. The whole system starts in this process, in memory (dynalite, s3rver, the SES stand-in, the
 * in-process EventBridge), with the demo directory loaded without weekly capacities so every lead
 * routes. Distinct referrals are POSTed over HTTP to 127.0.0.1 at RATE a second, open loop (a burst
 * does not wait for the system). A referral learns its lead went out from the bus (an observer rule
 * on `Lead Emailed`, as any subscriber would), which adds no polling to the system. Its end is the
 * referral's `lead.emailedAt`, read back from the table once all are done — written by the router,
 * with the same clock, once SES accepted the email and the lead was marked sent. So a latency is
 * "due to be POSTed" → lead email marked sent: intake, the publish, the bus delivery, routing, the
 * SES call and the conditional writes. measure-intake-floor.ts makes the floor's calls the same way.
 *
 * The load generator shares the process (and this 2-core machine) with every stand-in and handler,
 * and dynalite is far slower than DynamoDB: these are figures for comparing builds on one machine,
 * not a prediction of AWS latency.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_CREDENTIALS, startLocalStack } from '../../infra/local/stack';
import { documentClient } from '../../shared/adapters/aws-clients';
import { DynamoAssisterDirectory } from '../../shared/adapters/dynamo-directory.adapter';
import { DynamoReferralStore } from '../../shared/adapters/dynamo-referral-store.adapter';
import { OrganizationSchema } from '../../shared/domain/organization';
import { offerAtRate, percentile } from './open-loop';

type Json = Record<string, unknown>;

const COUNTIES = [
  'Hennepin',
  'Ramsey',
  'Anoka',
  'Dakota',
  'Washington',
  'Olmsted',
  'Stearns',
  'St. Louis',
  'Clay',
  'Scott',
];

async function main(): Promise<void> {
  const rate = Number(process.argv[2]);
  const count = Number(process.argv[3]);
  if (!(rate > 0 && count > 0)) throw new Error('usage: measure-intake.ts RATE REFERRALS');
  // Set before the stack starts: the handlers' loggers read it when they are built.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const demo = JSON.parse(readFileSync(join(__dirname, '..', '..', 'config', 'demo-directory.json'), 'utf8')) as {
    organizations: unknown[];
  };
  const sample = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'referral.json'), 'utf8')) as Json;

  const stack = await startLocalStack({
    apiPort: 0,
    sesPort: 0,
    retry: { maxAttempts: 8, maxEventAgeMs: 10 * 60 * 1000, baseDelayMs: 200, maxDelayMs: 5000 },
    sweepEveryMs: 0,
    dailyJobs: false,
    seedDemoDirectory: false,
  });
  try {
    const doc = documentClient(stack.config.routing, LOCAL_CREDENTIALS);
    const directory = new DynamoAssisterDirectory(doc, stack.config.routing.DIRECTORY_TABLE);
    for (const org of demo.organizations) {
      const { weeklyCapacity: _, ...parsed } = OrganizationSchema.parse(org);
      await directory.put(parsed);
    }
    const referrals = new DynamoReferralStore(doc, stack.config.routing.REFERRALS_TABLE);

    const bodies = Array.from({ length: count }, (_, i) => ({
      ...sample,
      crmReferralId: `CRM-BENCH-${process.pid}-${i}`,
      consumer: {
        ...(sample.consumer as Json),
        county: COUNTIES[i % COUNTIES.length],
        zip: undefined,
        phone: `(651) 8${String(Math.floor(i / 10_000)).padStart(2, '0')}-${String(i % 10_000).padStart(4, '0')}`,
        email: `bench-${i}@example.org`,
      },
    }));
    // The observer: resolves a worker's wait when its referral's Lead Emailed is published.
    const emailed = new Set<string>();
    const waiting = new Map<string, () => void>();
    stack.bus.addRule({
      name: 'bench-observer',
      detailTypes: ['Lead Emailed'],
      target: async (event) => {
        const { referralId } = (event.detail as { data: { referralId: string } }).data;
        emailed.add(referralId);
        waiting.get(referralId)?.();
      },
    });
    const leadEmailed = (referralId: string) =>
      new Promise<void>((resolve, reject) => {
        if (emailed.has(referralId)) return resolve();
        const timer = setTimeout(() => reject(new Error(`no lead email for ${referralId} within 120 s`)), 120_000);
        waiting.set(referralId, () => {
          clearTimeout(timer);
          resolve();
        });
      });

    const ids = new Array<string>(count);
    // Where the time goes, from the timestamps the pipeline stores: due → stored (the API), stored → published,
    // published → routed (the bus delivery and the routing decision), routed → claimed, claimed → emailed (SES).
    const stages: Record<string, number[]> = { api: [], publish: [], route: [], claim: [], email: [] };
    const dueAt = new Array<number>(count);
    const figure = await offerAtRate(
      rate,
      count,
      async (i) => {
        dueAt[i] = Date.now();
        const res = await fetch(`${stack.apiUrl}/referrals`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(bodies[i]),
        });
        const body = (await res.json()) as { referralId?: string };
        if (res.status !== 201 || !body.referralId) throw new Error(`POST ${i} answered ${res.status}`);
        ids[i] = body.referralId;
        await leadEmailed(body.referralId);
      },
      async (i) => {
        const referral = await referrals.get(ids[i]!);
        const emailedAt = referral?.lead?.state === 'sent' ? Date.parse(referral.lead.emailedAt ?? '') : NaN;
        if (!Number.isFinite(emailedAt)) throw new Error(`referral ${ids[i]} was not emailed (${referral?.status})`);
        const at = [
          dueAt[i]!,
          referral!.receivedAt,
          referral!.publishedAt,
          referral!.routing?.decidedAt,
          referral!.lead?.claimedAt,
          emailedAt,
        ].map((t) => (typeof t === 'number' ? t : Date.parse(t ?? '')));
        Object.values(stages).forEach((list, k) => list.push(at[k + 1]! - at[k]!));
        return emailedAt;
      },
    );
    await stack.bus.idle();
    const stageMs = Object.fromEntries(
      Object.entries(stages).map(([name, list]) => {
        const sorted = list.filter(Number.isFinite).sort((a, b) => a - b);
        return [name, { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }];
      }),
    );
    console.log(JSON.stringify({ ...figure, stageMs }));
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
