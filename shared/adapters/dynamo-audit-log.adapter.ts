import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamo-query';
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
    return queryAll(
      this.doc,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'subject = :s',
        ExpressionAttributeValues: { ':s': subject },
      },
      ({ sk: _sk, ...entry }) => entry as unknown as AuditEntry,
    );
  }
}
