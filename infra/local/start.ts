/**
 * `npm start`: the whole system on this machine, on embedded stand-ins, until Ctrl-C.
 * Data is kept under .local/ (git-ignored); delete it to start from the demo directory again.
 */
import { join } from 'node:path';
import { startLocalStack } from './stack';

/** The Lambdas run nodejs22.x; package-lock.json pins the same major for node_modules/.bin/node. */
const SHIPPED_NODE_MAJOR = 22;

async function main(): Promise<void> {
  // First, so a run on another Node is plain before anything else is read.
  console.log(`Node ${process.version} (${process.execPath})`);
  if (process.versions.node.split('.')[0] !== String(SHIPPED_NODE_MAJOR)) {
    console.log(
      `  Not Node ${SHIPPED_NODE_MAJOR}, the Lambda runtime: what runs here is not what ships (README: Which Node and why).`,
    );
  }
  const apiPort = Number(process.env.PORT ?? 3000);
  const sesPort = Number(process.env.SES_PORT ?? 8005);
  const root = join(__dirname, '..', '..');
  const stack = await startLocalStack({
    apiPort,
    sesPort,
    dataDir: process.env.PAL_DATA_DIR ?? join(root, '.local'),
    // EventBridge retries for 24 h; locally a failing event is dead-lettered within about two minutes.
    retry: { maxAttempts: 8, maxEventAgeMs: 10 * 60 * 1000, baseDelayMs: 1000, maxDelayMs: 30000 },
    sweepEveryMs: 60 * 1000,
    dailyJobs: true,
    seedDemoDirectory: true,
  });

  const sample = 'examples/referral.json';
  console.log(
    [
      '',
      'PAL referrals is running on local stand-ins.',
      '',
      `  Intake API        ${stack.apiUrl}   (POST /referrals, GET /referrals/{id}, GET /openapi.json)`,
      `  Sent email (SES)  ${stack.sesUrl}/`,
      `  Ops page          ${stack.apiUrl}/ops   (coverage map, overdue reports, unroutable referrals, performance)`,
      `  Admin API         ${stack.apiUrl}/admin/…   (header x-pal-admin-key: see .local/admin-key; or npm run pal)`,
      `  DynamoDB          ${stack.dynamoUrl}   (dynalite)`,
      `  S3                ${stack.s3Url}   (s3rver)`,
      '',
      'Post the sample referral, then open the SES web view to read the lead email:',
      '',
      `  curl -i -H 'Content-Type: application/json' -d @${sample} ${stack.apiUrl}/referrals`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
