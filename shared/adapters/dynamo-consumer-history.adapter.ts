import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PreviousReferral } from '../domain/routing';
import type { ConsumerHistory } from '../ports/consumer-history.port';
import { batchGetAll } from './dynamo-batch';
import { isConditionFailure } from './dynamo-referral-store.adapter';
import { TTL_ATTRIBUTE } from './dynamo-tables';

export class DynamoConsumerHistory implements ConsumerHistory {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async latest(consumerKeys: readonly string[]): Promise<PreviousReferral | undefined> {
    if (consumerKeys.length === 0) return undefined;
    // Consistent, and every key answered: a key left unprocessed read as "never seen" would route a
    // repeat consumer as new, possibly to a second organization that then receives their details.
    const items = await batchGetAll(
      this.doc,
      this.tableName,
      consumerKeys.map((consumerKey) => ({ consumerKey })),
      { consistentRead: true },
    );
    // DynamoDB's TTL deletes lazily (up to days late), so expiry is checked here too.
    const nowSeconds = Math.floor(this.clock().getTime() / 1000);
    const live = items.filter((i) => Number(i[TTL_ATTRIBUTE]) > nowSeconds);
    const newest = live.sort((a, b) => String(b.referredAt).localeCompare(String(a.referredAt)))[0];
    return newest
      ? {
          referralId: String(newest.referralId),
          organizationId: String(newest.organizationId),
          referredAt: String(newest.referredAt),
        }
      : undefined;
  }

  async remember(consumerKeys: readonly string[], referral: PreviousReferral, expiresAt: Date): Promise<void> {
    for (const consumerKey of consumerKeys) {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { consumerKey, ...referral, [TTL_ATTRIBUTE]: Math.floor(expiresAt.getTime() / 1000) },
            // Never replace a later referral with an earlier one (out-of-order deliveries).
            ConditionExpression: 'attribute_not_exists(consumerKey) OR referredAt <= :r',
            ExpressionAttributeValues: { ':r': referral.referredAt },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }
}
