import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sesLocal from 'aws-ses-v2-local';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { withTransactions } from './dynalite-transactions';
import type { LocalEventBus } from './local-event-bus';
import { close, listen } from './stand-in-setup';

export interface StandIns {
  readonly dynamoUrl: string;
  readonly s3Url: string;
  readonly sesUrl: string;
  readonly s3: S3rver;
}

/**
 * Starts dynalite (DynamoDB), s3rver (S3) and aws-ses-v2-local (SES) on free ports; each one's
 * closer is pushed on `closers` as soon as it runs.
 */
export async function startStandIns(
  options: { readonly dataDir?: string; readonly sesPort: number },
  closers: (() => Promise<void>)[],
): Promise<StandIns> {
  const dataDir = options.dataDir;
  // With TransactWriteItems, which dynalite lacks and routing's capacity reservation needs.
  const dynamo = withTransactions(
    dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      ...(dataDir && { path: join(dataDir, 'dynamodb') }),
    }),
  );
  await listen(dynamo, 0);
  closers.push(() => close(dynamo));
  const dynamoUrl = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;

  // s3rver's files are scratch: a stale directory from a killed run breaks bucket creation.
  const s3Dir = join(dataDir ?? tmpdir(), `pal-s3-${process.pid}-${Date.now()}`);
  rmSync(s3Dir, { recursive: true, force: true });
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, resetOnClose: true });
  const s3Address = await s3.run();
  closers.push(async () => {
    await s3.close();
    rmSync(s3Dir, { recursive: true, force: true });
  });
  const s3Url = `http://127.0.0.1:${s3Address.port}`;

  const ses = await sesLocal({ host: '127.0.0.1', port: options.sesPort });
  closers.push(() => close(ses));
  const sesUrl = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
  return { dynamoUrl, s3Url, sesUrl, s3 };
}

interface S3rverEvent {
  Records: {
    eventName: string;
    eventTime: string;
    s3: { object: { key: string; size?: number; sequencer?: string } };
  }[];
}

/** S3's EventBridge notifications, locally: each object created in the bucket becomes `Object Created` on the bus. */
export function forwardObjectCreated(s3: S3rver, bus: LocalEventBus, bucket: string): void {
  s3.on('event', (event: S3rverEvent) => {
    for (const record of event.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      bus.put(
        'Object Created',
        'aws.s3',
        {
          bucket: { name: bucket },
          object: {
            key: record.s3.object.key,
            size: record.s3.object.size,
            ...(record.s3.object.sequencer && { sequencer: record.s3.object.sequencer }),
          },
          reason: record.eventName.split(':')[1],
        },
        new Date(record.eventTime),
      );
    }
  });
}
