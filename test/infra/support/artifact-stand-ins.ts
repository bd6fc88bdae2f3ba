import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import sesLocal from 'aws-ses-v2-local';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { withTransactions } from '../../../infra/local/dynalite-transactions';
import { LocalEventBus } from '../../../infra/local/local-event-bus';
import { LOCAL_CREDENTIALS } from '../../../infra/local/stack';
import type { CloudAssembly } from './cloud-assembly';
import { idsOfType } from './cloud-assembly';

export const REGION = 'us-east-2';
export const ACCOUNT = '000000000000';

/**
 * The stand-ins the shipped bundles talk to, created from the template itself: one dynalite table
 * per AWS::DynamoDB::Table (its keys and indexes as declared), one s3rver bucket per project bucket,
 * the SES stand-in, the local bus (recording what is published; nothing is delivered on its own:
 * the test hands each event to the next bundle), and a Secrets Manager fake (no stand-in exists
 * for it here) answering GetSecretValue for the template's secrets.
 */
export interface ArtifactStandIns {
  readonly endpoints: Record<string, string>;
  /** Physical values of the template's logical ids (tables, buckets, bus, secrets…) and pseudo parameters. */
  readonly refs: Record<string, string>;
  readonly sesUrl: string;
  readonly s3: S3Client;
  readonly bus: LocalEventBus;
  stop(): Promise<void>;
}

export async function startArtifactStandIns(assembly: CloudAssembly, scratch: string): Promise<ArtifactStandIns> {
  const closers: (() => Promise<void>)[] = [];
  const refs: Record<string, string> = {
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::Partition': 'aws',
  };
  try {
    const dynamo = withTransactions(dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }));
    await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
    closers.push(() => close(dynamo));
    const dynamoUrl = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;

    const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(scratch, 's3') });
    const s3Address = await s3rver.run();
    closers.push(() => s3rver.close());
    const s3Url = `http://127.0.0.1:${s3Address.port}`;

    const ses = await sesLocal({ host: '127.0.0.1', port: 0 });
    closers.push(() => close(ses));
    const sesUrl = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;

    const bus = new LocalEventBus([], {
      region: REGION,
      retry: { maxAttempts: 1, maxEventAgeMs: 1000, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const busUrl = await bus.listen();
    closers.push(() => bus.close());

    const secrets: Record<string, string> = {};
    for (const id of idsOfType(assembly, 'AWS::SecretsManager::Secret')) {
      const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}-AbCdEf`;
      refs[id] = arn;
      secrets[arn] = randomBytes(32).toString('base64url');
    }
    const secretsServer = secretsManagerFake(secrets);
    await new Promise<void>((resolve) => secretsServer.listen(0, '127.0.0.1', resolve));
    closers.push(() => close(secretsServer));
    const secretsUrl = `http://127.0.0.1:${(secretsServer.address() as AddressInfo).port}`;

    const dynamoClient = new DynamoDBClient({ region: REGION, endpoint: dynamoUrl, credentials: LOCAL_CREDENTIALS });
    for (const id of idsOfType(assembly, 'AWS::DynamoDB::Table')) {
      refs[id] = `local-${id}`;
      await dynamoClient.send(new CreateTableCommand(tableOf(assembly, id, refs[id])));
    }
    dynamoClient.destroy();

    const s3 = new S3Client({
      region: REGION,
      endpoint: s3Url,
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    for (const id of idsOfType(assembly, 'AWS::S3::Bucket')) {
      refs[id] = id.toLowerCase();
      await s3.send(new CreateBucketCommand({ Bucket: refs[id] }));
    }
    closers.push(async () => s3.destroy());

    // Names a function carries but whose service runs nowhere here: the bus (recorded), SES's
    // configuration set (the stand-in takes any), the public API (links are only written into mail).
    for (const type of ['AWS::Events::EventBus', 'AWS::SES::ConfigurationSet', 'AWS::ApiGateway::RestApi']) {
      for (const id of idsOfType(assembly, type)) refs[id] ??= `local-${id}`;
    }

    return {
      endpoints: {
        AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
        AWS_ENDPOINT_URL_S3: s3Url,
        AWS_ENDPOINT_URL_SES: sesUrl,
        AWS_ENDPOINT_URL_EVENTBRIDGE: busUrl,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsUrl,
      },
      refs,
      sesUrl,
      s3,
      bus,
      stop: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/** The table as the template declares it (keys, attributes, indexes), under a local name. */
function tableOf(assembly: CloudAssembly, id: string, name: string): CreateTableCommandInput {
  const p = assembly.template.Resources[id]!.Properties!;
  const gsis = p.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    ...(gsis && { GlobalSecondaryIndexes: gsis }),
  };
}

/** Secrets Manager's GetSecretValue (JSON protocol), for the secrets the template creates. */
function secretsManagerFake(values: Record<string, string>): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        reply(400, { __type: 'InvalidRequestException', message: 'only GetSecretValue is served here' });
      } else if (SecretId === undefined || values[SecretId] === undefined) {
        reply(400, { __type: 'ResourceNotFoundException', message: `no secret ${SecretId}` });
      } else {
        reply(200, { ARN: SecretId, Name: SecretId, SecretString: values[SecretId], VersionId: 'v1' });
      }
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const closer of closers.reverse()) await closer().catch(() => undefined);
}
