import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import type { TableRole } from '../../shared/adapters/dynamo-tables';
import { TABLE_DEFINITIONS } from '../../shared/adapters/dynamo-tables';

/** Setting up and closing the local stack's stand-ins (infra/local/stack.ts). */
export interface StandInTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: LocalCredentials;
}

/** The tables, as shared/adapters/dynamo-tables.ts defines them (the CDK app uses the same). */
export async function createTables(target: StandInTarget, names: Record<TableRole, string>): Promise<void> {
  const client = new DynamoDBClient(target);
  for (const role of Object.keys(TABLE_DEFINITIONS) as TableRole[]) {
    try {
      await client.send(new CreateTableCommand({ ...TABLE_DEFINITIONS[role], TableName: names[role] }));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  client.destroy();
}

export async function createBucket(target: StandInTarget, bucket: string): Promise<void> {
  const client = new S3Client({ ...target, forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
}

/** A random key per data folder, kept there so hashes and signed links survive restarts. */
export function localSecret(dataDir: string | undefined, name: string): string {
  if (!dataDir) return randomBytes(32).toString('base64url');
  const file = join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

export async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const closer of closers.reverse()) {
    await closer().catch(() => undefined);
  }
}
