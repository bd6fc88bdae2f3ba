import type { LocalStack } from '../../infra/local/stack';
import { LOCAL_CREDENTIALS } from '../../infra/local/stack';
import { documentClient } from '../../shared/adapters/aws-clients';
import { batchGetAll } from '../../shared/adapters/dynamo-batch';
import { RetryLaterError } from '../../shared/domain/errors';
import { seedDirectory } from './support/directory';
import type { DynamoRequest } from './support/dynamo-fault-proxy';
import { DynamoFaultProxy } from './support/dynamo-fault-proxy';
import { postJson, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';

/*
 * BatchGetItem under throttling, on the stand-ins: DynamoDB answers 200 with some keys handed back as
 * UnprocessedKeys, which the SDK does not retry. A proxy in front of dynalite answers chosen batch
 * reads that way (dynalite itself never does).
 */
let stack: LocalStack;
const dynamo = new DynamoFaultProxy();
let proxyUrl: string;

beforeAll(async () => {
  stack = await startTestStack({
    seedDemoDirectory: false,
    env: { AWS_ENDPOINT_URL_DYNAMODB: (proxyUrl = await dynamo.listen()) },
  });
  dynamo.target = stack.dynamoUrl;
  await seedDirectory(stack);
}, 60_000);
afterAll(async () => {
  await stack.stop();
  await dynamo.close();
});

const readsHistory = (r: DynamoRequest) =>
  Object.keys((r.body.RequestItems ?? {}) as object).includes(stack.config.routing.CONSUMER_HISTORY_TABLE);

async function post(body: unknown): Promise<string> {
  const res = await postJson(`${stack.apiUrl}/referrals`, body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { referralId: string }).referralId;
}

async function routingOf(referralId: string) {
  const res = await fetch(`${stack.apiUrl}/referrals/${referralId}`);
  return ((await res.json()) as { routing?: { organizationId?: string; reason: string; repeatOfReferralId?: string } })
    .routing;
}

describe('repeat detection while the consumer history is throttled', () => {
  it('asks again for unprocessed keys: a consumer referred again is still a repeat, sent to the same organization', async () => {
    const first = await post(referralBody({ consumer: { phone: '507-555-0177', county: 'Olmsted', zip: '55901' } }));
    await settle(stack);
    const firstOrg = (await routingOf(first))?.organizationId;
    expect(firstOrg).toBeDefined();
    const before = dynamo.count(readsHistory);
    // The next two history reads come back with every key unprocessed.
    dynamo.unprocessMatching(readsHistory, 2);

    const again = await post(referralBody({ consumer: { phone: '507-555-0177', county: 'Olmsted', zip: '55901' } }));
    await settle(stack);

    expect(await routingOf(again)).toMatchObject({
      organizationId: firstOrg,
      reason: 'repeat-consumer',
      repeatOfReferralId: first,
    });
    expect(dynamo.failed).toBe(2);
    expect(dynamo.count(readsHistory) - before).toBeGreaterThanOrEqual(3);
  });
});

describe('a batch read that stays unprocessed', () => {
  it('gives up after its bounded attempts with RetryLaterError, never with a partial answer', async () => {
    const doc = documentClient({ ...stack.config.routing, AWS_ENDPOINT_URL_DYNAMODB: proxyUrl }, LOCAL_CREDENTIALS);
    dynamo.clear();
    const table = stack.config.routing.CONSUMER_HISTORY_TABLE;
    const isThisRead = (r: DynamoRequest) => JSON.stringify(r.body).includes('never-processed-key');
    dynamo.unprocessMatching(isThisRead, 1000);

    const read = batchGetAll(doc, table, [{ consumerKey: 'never-processed-key' }], {
      consistentRead: true,
      retry: { maxAttempts: 4, baseMs: 1, capMs: 5 },
    });

    await expect(read).rejects.toBeInstanceOf(RetryLaterError);
    expect(dynamo.count(isThisRead)).toBe(4);
    doc.destroy();
    dynamo.clear();
  });
});
