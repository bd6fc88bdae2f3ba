/**
 * Intake → lead email on the local stack, in its own process:
 *   tsx test/bench/measure-intake.ts [referrals=2000] [clients=20]
 * Prints one JSON line: { referrals, clients, perSecond, p50Ms, p99Ms, maxMs, seconds, peakRssMb }.
 *
 * Method. The whole system starts in this process, in memory (dynalite, s3rver, the SES stand-in, the
 * in-process EventBridge), with the demo directory loaded without weekly capacities so every lead
 * routes. `clients` workers each POST a distinct referral over HTTP to 127.0.0.1, wait until its lead
 * email is out, then take the next: a closed loop with `clients` referrals in flight, so the figures
 * are the pipeline's own and not the length of a queue the generator piled up. A worker learns its
 * lead went out from the bus (an observer rule on `Lead Emailed`, as any subscriber would), which
 * costs nothing and adds no polling to the system. For each referral the worker notes the wall-clock
 * time just before its POST; the end is the referral's `lead.emailedAt`, read back from the table —
 * written by the router, with the same clock, once SES accepted the email and the lead was marked
 * sent. So a latency is POST → lead email marked sent: intake, the publish, the bus delivery,
 * routing, the SES call and the conditional writes. perSecond is referrals ÷ (last emailedAt − first
 * POST).
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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 2000);
  const clients = Number(process.argv[3] ?? 20);
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

    const postedAt = new Array<number>(count);
    const ids = new Array<string>(count);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        postedAt[i] = Date.now();
        const res = await fetch(`${stack.apiUrl}/referrals`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(bodies[i]),
        });
        const body = (await res.json()) as { referralId?: string };
        if (res.status !== 201 || !body.referralId) throw new Error(`POST ${i} answered ${res.status}`);
        ids[i] = body.referralId;
        await leadEmailed(body.referralId);
      }
    };
    await Promise.all(Array.from({ length: clients }, worker));
    await stack.bus.idle();

    const latencies: number[] = [];
    let lastEmailed = 0;
    for (let i = 0; i < count; i++) {
      const referral = await referrals.get(ids[i]!);
      const emailedAt = referral?.lead?.state === 'sent' ? Date.parse(referral.lead.emailedAt ?? '') : NaN;
      if (!Number.isFinite(emailedAt)) throw new Error(`referral ${ids[i]} was not emailed (${referral?.status})`);
      latencies.push(emailedAt - postedAt[i]!);
      lastEmailed = Math.max(lastEmailed, emailedAt);
    }
    latencies.sort((a, b) => a - b);
    const seconds = (lastEmailed - Math.min(...postedAt)) / 1000;
    console.log(
      JSON.stringify({
        referrals: count,
        clients,
        perSecond: Math.round((count / seconds) * 10) / 10,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies.at(-1),
        seconds: Math.round(seconds * 1000) / 1000,
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      }),
    );
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
