import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import sesLocal from 'aws-ses-v2-local';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { ReferralCreated } from '../../events/catalog';
import { buildIntakeApiDeps, createIntakeApiHandler } from '../../functions/intake-api/handler';
import { buildRepublishDeps, createRepublishHandler } from '../../functions/republish-referrals/handler';
import { buildRouteReferralDeps, createRouteReferralHandler } from '../../functions/route-referral/handler';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { documentClient } from '../../shared/adapters/aws-clients';
import { DynamoAssisterDirectory } from '../../shared/adapters/dynamo-directory.adapter';
import type { TableRole } from '../../shared/adapters/dynamo-tables';
import { TABLE_DEFINITIONS } from '../../shared/adapters/dynamo-tables';
import type { IntakeConfig, RepublishConfig, RoutingConfig } from '../../shared/config';
import { IntakeConfigSchema, loadConfig, RepublishConfigSchema, RoutingConfigSchema } from '../../shared/config';
import { OrganizationSchema } from '../../shared/domain/organization';
import type { RetryPolicy } from './local-event-bus';
import { LocalEventBus } from './local-event-bus';
import { serveApi, urlOf } from './api-server';
import demoDirectory from '../../config/demo-directory.json';

/** s3rver checks the key id, not the signature; dynalite and the SES stand-in check neither. */
export const LOCAL_CREDENTIALS: LocalCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const REGION = 'us-east-2';

export interface LocalStackOptions {
  /** API port; 0 picks a free one. */
  readonly apiPort: number;
  /** SES stand-in port (its web view of sent mail); 0 picks a free one. */
  readonly sesPort: number;
  /** Where dynalite and s3rver keep data between runs; undefined keeps everything in memory/temp. */
  readonly dataDir?: string;
  readonly retry: RetryPolicy;
  /** How often the sweeper runs; 0 disables the timer (tests run it on demand). */
  readonly sweepEveryMs: number;
  readonly seedDemoDirectory: boolean;
  /** Overrides for the functions' configuration (tests shorten delays). */
  readonly env?: Record<string, string>;
}

export interface LocalStack {
  readonly apiUrl: string;
  readonly sesUrl: string;
  readonly dynamoUrl: string;
  readonly s3Url: string;
  readonly bus: LocalEventBus;
  readonly config: { intake: IntakeConfig; routing: RoutingConfig; republish: RepublishConfig };
  readonly sweep: () => Promise<unknown>;
  stop(): Promise<void>;
}

export const TABLE_NAMES: Record<TableRole, string> = {
  referrals: 'pal-referrals',
  directory: 'pal-directory',
  consumerHistory: 'pal-consumer-history',
};
export const REPORTS_BUCKET = 'pal-reports-local';

/**
 * Starts the whole system on embedded stand-ins: dynalite (DynamoDB), s3rver (S3),
 * aws-ses-v2-local (SES) and an in-process EventBridge. The handlers are the Lambda handlers,
 * built from the same config schemas; only the endpoints point here.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const closers: (() => Promise<void>)[] = [];
  try {
    const dataDir = options.dataDir;
    if (dataDir) mkdirSync(dataDir, { recursive: true });

    const dynamo = dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      ...(dataDir && { path: join(dataDir, 'dynamodb') }),
    });
    await listen(dynamo, 0);
    closers.push(() => close(dynamo));
    const dynamoUrl = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;

    // s3rver's files are scratch: a stale directory from a killed run breaks bucket creation.
    const s3Dir = dataDir ? join(dataDir, 's3') : join(tmpdir(), `pal-s3-${process.pid}-${Date.now()}`);
    rmSync(s3Dir, { recursive: true, force: true });
    const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, resetOnClose: true });
    const s3Address = await s3.run();
    closers.push(() => s3.close());
    const s3Url = `http://127.0.0.1:${s3Address.port}`;

    const ses = await sesLocal({ host: '127.0.0.1', port: options.sesPort });
    closers.push(() => close(ses));
    const sesUrl = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;

    const bus = new LocalEventBus([], {
      region: REGION,
      retry: options.retry,
      log: (message, fields) =>
        console.warn(JSON.stringify({ level: 'WARN', service: 'local-event-bus', message, ...fields })),
    });
    const busUrl = await bus.listen();
    closers.push(() => bus.close());

    const env: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_ENDPOINT_URL_EVENTBRIDGE: busUrl,
      AWS_ENDPOINT_URL_SES: sesUrl,
      AWS_ENDPOINT_URL_S3: s3Url,
      REFERRALS_TABLE: TABLE_NAMES.referrals,
      DIRECTORY_TABLE: TABLE_NAMES.directory,
      CONSUMER_HISTORY_TABLE: TABLE_NAMES.consumerHistory,
      EVENT_BUS_NAME: 'pal-referrals-local',
      LEAD_SENDER: 'pal-leads@mnsure.example.org',
      PROGRAM_CONTACT: 'assisterleads@mnsure.example.org',
      CONSUMER_KEY_SECRET: consumerKeySecret(dataDir),
      ...options.env,
    };
    const config = {
      intake: loadConfig(IntakeConfigSchema, env),
      routing: loadConfig(RoutingConfigSchema, env),
      republish: loadConfig(RepublishConfigSchema, env),
    };

    await createTables(dynamoUrl);
    await createBucket(s3Url);
    if (options.seedDemoDirectory) await seedDemoDirectory(config.routing);

    const routeReferral = createRouteReferralHandler(buildRouteReferralDeps(config.routing, LOCAL_CREDENTIALS));
    bus.addRule({ name: 'route-referral', detailTypes: [ReferralCreated.detailType], target: routeReferral });

    const sweep = createRepublishHandler(buildRepublishDeps(config.republish, LOCAL_CREDENTIALS));
    if (options.sweepEveryMs > 0) {
      const timer = setInterval(() => sweep().catch(() => undefined), options.sweepEveryMs);
      closers.push(async () => clearInterval(timer));
    }

    const api = await serveApi(
      createIntakeApiHandler(buildIntakeApiDeps(config.intake, LOCAL_CREDENTIALS)),
      options.apiPort,
    );
    closers.push(() => close(api));

    return {
      apiUrl: urlOf(api),
      sesUrl,
      dynamoUrl,
      s3Url,
      bus,
      config,
      sweep,
      stop: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

async function createTables(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ region: REGION, endpoint, credentials: LOCAL_CREDENTIALS });
  for (const [role, definition] of Object.entries(TABLE_DEFINITIONS) as [
    TableRole,
    (typeof TABLE_DEFINITIONS)[TableRole],
  ][]) {
    try {
      await client.send(new CreateTableCommand({ ...definition, TableName: TABLE_NAMES[role] }));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  client.destroy();
}

async function createBucket(endpoint: string): Promise<void> {
  const client = new S3Client({ region: REGION, endpoint, forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
  await client.send(new CreateBucketCommand({ Bucket: REPORTS_BUCKET }));
  client.destroy();
}

/** Loads the fictional demo organizations into an empty directory (never over an edited one). */
async function seedDemoDirectory(config: RoutingConfig): Promise<void> {
  const directory = new DynamoAssisterDirectory(documentClient(config, LOCAL_CREDENTIALS), config.DIRECTORY_TABLE);
  if ((await directory.list()).length > 0) return;
  for (const org of demoDirectory.organizations) await directory.put(OrganizationSchema.parse(org));
}

/** A random HMAC key per data folder, kept there so repeat detection survives restarts. */
function consumerKeySecret(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString('base64url');
  const file = join(dataDir, 'consumer-key-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const closer of closers.reverse()) {
    await closer().catch(() => undefined);
  }
}
