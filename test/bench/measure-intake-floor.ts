/**
 * The floor beside intake → lead email, in its own process:
 *   tsx test/bench/measure-intake-floor.ts RATE REFERRALS
 * Prints one JSON line: a LoadFigure (open-loop.ts).
 *
 * The same stand-ins as the local stack (dynalite with the referrals table as defined for AWS, the local
 * EventBridge, the SES stand-in), in one process on this machine, offered referrals at the same rate. Per
 * referral a minimal script makes, back to back, the least any intake → email pipeline must: one conditional
 * PutItem of the referral, one PutEvents, one SES SendEmail, with the same SDK clients (the SES one as ours:
 * one attempt, no keep-alive). No routing, no handlers: what is left between this and ours is our code.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import sesLocal from 'aws-ses-v2-local';
import dynalite from 'dynalite';
import { LocalEventBus } from '../../infra/local/local-event-bus';
import { LOCAL_CREDENTIALS } from '../../infra/local/stack';
import { close, listen } from '../../infra/local/stand-in-setup';
import { TABLE_DEFINITIONS } from '../../shared/adapters/dynamo-tables';
import { offerAtRate } from './open-loop';

const REGION = 'us-east-2';
const TABLE = 'pal-referrals';

async function main(): Promise<void> {
  const rate = Number(process.argv[2]);
  const count = Number(process.argv[3]);
  if (!(rate > 0 && count > 0)) throw new Error('usage: measure-intake-floor.ts RATE REFERRALS');

  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await listen(dynamo, 0);
  const ses = await sesLocal({ host: '127.0.0.1', port: 0 });
  const bus = new LocalEventBus([], {
    region: REGION,
    retry: { maxAttempts: 1, maxEventAgeMs: 60_000, baseDelayMs: 200, maxDelayMs: 200 },
  });
  const busUrl = await bus.listen();
  const endpoint = (server: { address(): unknown }) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = { region: REGION, credentials: LOCAL_CREDENTIALS };
  const db = new DynamoDBClient({ ...base, endpoint: endpoint(dynamo) });
  const events = new EventBridgeClient({ ...base, endpoint: busUrl });
  const mail = new SESClient({
    ...base,
    endpoint: endpoint(ses),
    maxAttempts: 1,
    requestHandler: { httpAgent: { keepAlive: false } },
  });
  try {
    await db.send(new CreateTableCommand({ ...TABLE_DEFINITIONS.referrals, TableName: TABLE }));
    const doneAt = new Array<number>(count);
    const figure = await offerAtRate(
      rate,
      count,
      async (i) => {
        const referralId = `ref_floor_${process.pid}_${i}`;
        const now = new Date().toISOString();
        await db.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: {
              referralId: { S: referralId },
              referredAt: { S: now },
              receivedAt: { S: now },
              consumerName: { S: `Consumer ${i} Example` },
            },
            ConditionExpression: 'attribute_not_exists(referralId)',
          }),
        );
        await events.send(
          new PutEventsCommand({
            Entries: [
              {
                Source: 'pal.referrals',
                DetailType: 'Referral Created',
                Detail: JSON.stringify({ data: { referralId } }),
                EventBusName: 'pal-referrals-local',
              },
            ],
          }),
        );
        await mail.send(
          new SendEmailCommand({
            Source: 'pal-leads@mnsure.example.org',
            Destination: { ToAddresses: ['leads@assister.example.org'] },
            Message: {
              Subject: { Data: `New referral ${referralId}` },
              Body: { Text: { Data: `Consumer ${i} Example needs help applying for coverage.` } },
            },
          }),
        );
        doneAt[i] = Date.now();
      },
      async (i) => doneAt[i]!,
    );
    console.log(JSON.stringify(figure));
  } finally {
    db.destroy();
    events.destroy();
    mail.destroy();
    await bus.close();
    await close(ses);
    await close(dynamo);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
