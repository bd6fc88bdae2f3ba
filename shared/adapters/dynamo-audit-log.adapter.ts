import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog } from '../ports/audit-log.port';

/** Items: pk `subject`, sk `<at>#<uuid>` (two entries in the same millisecond both stay). */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...entry, sk: `${entry.at}#${randomUUID()}` },
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
  }

  async list(subject: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'subject = :s',
          ExpressionAttributeValues: { ':s': subject },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const { sk: _sk, ...entry } = item;
        entries.push(entry as AuditEntry);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return entries;
  }
}
