/**
 * What one referral uses, for the cost model (cost.ts), and each function's peak RSS beside its memory setting:
 *   tsx test/bench/measure-functions.ts
 * Prints one JSON line: { perReferral, functions }.
 *
 * perReferral: on the local stack, referrals POSTed one at a time (after a few to warm up), each followed to its lead
 * email. Every AWS client the handlers build carries a middleware (observeClients, the same hook as the deployment
 * contract's recorder) that asks DynamoDB for ReturnConsumedCapacity TOTAL and sums what it reports, read and write
 * units apart, and counts event entries published and emails sent. intakeMs is the POST's round trip; routeMs is
 * Referral Created published → lead email marked sent (the bus delivers in-process at once). dynalite is slower than
 * DynamoDB, so the durations err high.
 *
 * functions: each bundle as deployed (esbuild, as cdk synth builds it) runs in a fresh Node process of its own, and
 * its peak RSS is that process's: intake-api and route-referral handle one real request against this stack (a
 * referral POSTed; a stored referral's Referral Created); the others are only imported (their representative work —
 * a 50,000-row report written or read — is measured in measure-peers.ts, and run.ts puts the two side by side).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LOCAL_CREDENTIALS, startLocalStack } from '../../infra/local/stack';
import { BUNDLE_FILE, bundleFunctions, FUNCTION_NAMES, REPO_ROOT } from '../../scripts/bundle-functions';
import { documentClient, observeClients, type AwsClient } from '../../shared/adapters/aws-clients';
import { DynamoReferralStore } from '../../shared/adapters/dynamo-referral-store.adapter';
import { fingerprintOf, newReferral, validateReferralRequest } from '../../shared/domain/referral';
import { createdEvent } from '../../shared/use-cases/receive-referral';
import { EVENT_SOURCE } from '../../events/envelope';
import { PalFunction } from '../../infra/aws/constructs/pal-function.construct';
import { synthPal } from '../infra/support/pal-app';

type Json = Record<string, unknown>;
const WARM_UP = 5;
const MEASURED = 20;
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

const usage = { readUnits: 0, writeUnits: 0, dynamoRequests: 0, events: 0, emails: 0 };

function count(client: AwsClient): void {
  const stack = client.middlewareStack as unknown as {
    add(middleware: unknown, options: { step: string; name: string; priority?: string }): void;
  };
  stack.add(
    (
      next: (args: { input: Json }) => Promise<{ output: Json }>,
      context: { clientName?: string; commandName?: string },
    ) =>
      async (args: { input: Json }) => {
        const command = (context.commandName ?? '').replace(/Command$/, '');
        const dynamo = context.clientName === 'DynamoDBClient';
        if (dynamo) args.input.ReturnConsumedCapacity = 'TOTAL';
        const out = await next(args);
        if (dynamo) {
          usage.dynamoRequests++;
          const consumed = out.output.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[];
          const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
            (sum, c) => sum + (c.CapacityUnits ?? 0),
            0,
          );
          if (READS.has(command)) usage.readUnits += units;
          else usage.writeUnits += units;
        }
        if (command === 'PutEvents') usage.events += ((args.input.Entries as unknown[]) ?? []).length;
        if (command === 'SendEmail' || command === 'SendRawEmail') usage.emails++;
        return out;
      },
    // After lib-dynamodb's marshalling, as the deployment contract's recorder: the request as it goes on the wire.
    { step: 'serialize', name: 'benchUsage', priority: 'high' },
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  observeClients(count);
  const stack = await startLocalStack({
    apiPort: 0,
    sesPort: 0,
    retry: { maxAttempts: 3, maxEventAgeMs: 60_000, baseDelayMs: 200, maxDelayMs: 1000 },
    sweepEveryMs: 0,
    dailyJobs: false,
    seedDemoDirectory: true,
  });
  const outDir = join(REPO_ROOT, 'dist', 'bench-functions');
  try {
    const sample = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'referral.json'), 'utf8')) as Json;
    const body = (i: number) => ({
      ...sample,
      crmReferralId: `CRM-COST-${process.pid}-${i}`,
      consumer: {
        ...(sample.consumer as Json),
        zip: undefined,
        phone: `(651) 7${String(Math.floor(i / 10_000)).padStart(2, '0')}-${String(i % 10_000).padStart(4, '0')}`,
        email: `cost-${i}@example.org`,
      },
    });
    const referrals = new DynamoReferralStore(
      documentClient(stack.config.routing, LOCAL_CREDENTIALS),
      stack.config.routing.REFERRALS_TABLE,
    );
    const intakeMs: number[] = [];
    const routeMs: number[] = [];
    for (let i = 0; i < WARM_UP + MEASURED; i++) {
      if (i === WARM_UP) Object.assign(usage, { readUnits: 0, writeUnits: 0, dynamoRequests: 0, events: 0, emails: 0 });
      const t = Date.now();
      const res = await fetch(`${stack.apiUrl}/referrals`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body(i)),
      });
      const { referralId } = (await res.json()) as { referralId: string };
      if (res.status !== 201) throw new Error(`POST answered ${res.status}`);
      const posted = Date.now() - t;
      await stack.bus.idle();
      const referral = await referrals.get(referralId);
      if (referral?.lead?.state !== 'sent') throw new Error(`referral ${referralId} was not emailed`);
      if (i >= WARM_UP) {
        intakeMs.push(posted);
        routeMs.push(Date.parse(referral.lead.emailedAt!) - Date.parse(referral.publishedAt!));
      }
    }
    // The reads made here to follow each referral are the bench's, not the pipeline's.
    const own = MEASURED;
    const perReferral = {
      intakeMs: median(intakeMs),
      routeMs: median(routeMs),
      readUnits: (usage.readUnits - own * 1) / MEASURED,
      writeUnits: usage.writeUnits / MEASURED,
      dynamoRequests: (usage.dynamoRequests - own) / MEASURED,
      events: usage.events / MEASURED,
      emails: usage.emails / MEASURED,
    };

    const bundles = await bundleFunctions({ outDir });
    const env = {
      ...process.env,
      ...stack.env,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    // Asynchronous: the child's calls are served by the stand-ins of this process, whose event loop must run meanwhile.
    const run = async (name: (typeof FUNCTION_NAMES)[number], event?: unknown): Promise<number> => {
      const url = pathToFileURL(join(bundles[name].assetDir, BUNDLE_FILE)).href;
      const invoke = event === undefined ? '' : `await m.handler(JSON.parse(process.env.BENCH_EVENT));`;
      const code = `const m = await import(${JSON.stringify(url)}); ${invoke} console.log(process.resourceUsage().maxRSS / 1024); process.exit(0);`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...env, BENCH_EVENT: JSON.stringify(event ?? null) },
        timeout: 120_000,
      });
      return Math.round(Number(stdout.trim().split('\n').at(-1)));
    };

    const functions: Record<string, { peakRssMb: number; invoked: boolean }> = {};
    for (const name of FUNCTION_NAMES) functions[name] = { peakRssMb: await run(name), invoked: false };
    const post = {
      httpMethod: 'POST',
      path: '/referrals',
      resource: '/referrals',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body(WARM_UP + MEASURED)),
      requestContext: { requestId: 'bench', identity: { sourceIp: '127.0.0.1' } },
      isBase64Encoded: false,
    };
    functions['intake-api'] = { peakRssMb: await run('intake-api', post), invoked: true };
    await stack.bus.idle();
    // A stored referral that no delivery has routed yet: what route-referral's own process then does in full.
    const now = new Date();
    const request = body(WARM_UP + MEASURED + 1);
    const valid = validateReferralRequest(request, now);
    if (!valid.ok) throw new Error('the sample referral is not valid');
    const referral = newReferral(valid.request, fingerprintOf(request), now);
    await referrals.create(referral);
    const event = createdEvent(referral, now);
    functions['route-referral'] = {
      peakRssMb: await run('route-referral', {
        version: '0',
        id: 'bench',
        'detail-type': event.detailType,
        source: EVENT_SOURCE,
        account: '000000000000',
        time: now.toISOString(),
        region: stack.env.AWS_REGION,
        resources: [],
        detail: event.detail,
      }),
      invoked: true,
    };
    const routed = await referrals.get(referral.referralId);
    if (routed?.lead?.state !== 'sent') throw new Error('route-referral did not email the lead in its own process');
    // The memory each function is given, from the stack as cdk synth builds it (a construct's id is its name in
    // PascalCase: IntakeApi is intake-api).
    const { stack: app } = await synthPal();
    const memoryMb: Record<string, number> = {};
    for (const c of app.node.findAll()) {
      if (!(c instanceof PalFunction)) continue;
      const name = c.node.id.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase();
      memoryMb[name] = Number((c.function.node.defaultChild as unknown as { memorySize?: number }).memorySize ?? 128);
    }
    console.log(
      JSON.stringify({
        perReferral,
        functions: Object.fromEntries(
          Object.entries(functions).map(([name, f]) => [name, { ...f, memoryMb: memoryMb[name] ?? null }]),
        ),
      }),
    );
  } finally {
    observeClients(undefined);
    rmSync(outDir, { recursive: true, force: true });
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
