import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IsoDate } from '../domain/minnesota-time';
import type { Report } from '../domain/report';
import type { ReportReturn, ReportStore } from '../ports/report-store.port';
import { queryAll } from './dynamo-query';
import { isConditionFailure } from './dynamo-referral-store.adapter';
import { REPORT_OPEN, REPORT_OVERDUE, REPORTS_INDEX } from './dynamo-tables';

/** Attributes on the item that are bookkeeping, not part of the report. */
const INTERNAL = ['openFlag', 'emailClaimedAt'] as const;

/** An object's key and version can be long and hold any character: the item key carries their digest. */
const fileKey = (reportId: string, objectId: string) =>
  `file#${reportId}#${createHash('sha256').update(objectId).digest('base64url')}`;
const contentKey = (reportId: string, contentHash: string) => `content#${reportId}#${contentHash}`;

export class DynamoReportStore implements ReportStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createIfAbsent(report: Report): Promise<{ created: boolean; report: Report }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...report, openFlag: REPORT_OPEN },
          ConditionExpression: 'attribute_not_exists(reportId)',
        }),
      );
      return { created: true, report };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(report.reportId);
      if (!existing) throw new Error('Report vanished between a conditional put and a read', { cause: error });
      return { created: false, report: existing };
    }
  }

  async get(reportId: string): Promise<Report | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { reportId }, ConsistentRead: true }),
    );
    return out.Item ? toReport(out.Item) : undefined;
  }

  async claimEmail(reportId: string, claimedAt: string, staleBefore: string): Promise<boolean> {
    return this.conditionalUpdate({
      Key: { reportId },
      UpdateExpression: 'SET emailClaimedAt = :c',
      ConditionExpression:
        'attribute_exists(reportId) AND attribute_not_exists(emailedAt) AND (attribute_not_exists(emailClaimedAt) OR emailClaimedAt < :stale)',
      ExpressionAttributeValues: { ':c': claimedAt, ':stale': staleBefore },
    });
  }

  async markEmailed(reportId: string, emailedAt: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { reportId },
        UpdateExpression: 'SET emailedAt = :t',
        ExpressionAttributeValues: { ':t': emailedAt },
      }),
    );
  }

  async listOpen(dueOnOrBefore: IsoDate): Promise<Report[]> {
    const [pending, overdue] = await Promise.all([
      this.openIn(REPORT_OPEN, dueOnOrBefore),
      this.openIn(REPORT_OVERDUE, dueOnOrBefore),
    ]);
    return [...pending, ...overdue].sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  }

  async listPendingDue(dueOnOrBefore: IsoDate): Promise<Report[]> {
    return this.openIn(REPORT_OPEN, dueOnOrBefore);
  }

  async countMarkedOverdue(): Promise<number> {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: REPORTS_INDEX.open,
          KeyConditionExpression: 'openFlag = :overdue',
          ExpressionAttributeValues: { ':overdue': REPORT_OVERDUE },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      count += out.Count ?? 0;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  private openIn(flag: string, dueOnOrBefore: IsoDate): Promise<Report[]> {
    return queryAll(
      this.doc,
      {
        TableName: this.tableName,
        IndexName: REPORTS_INDEX.open,
        KeyConditionExpression: 'openFlag = :flag AND dueDate <= :d',
        ExpressionAttributeValues: { ':flag': flag, ':d': dueOnOrBefore },
      },
      toReport,
    );
  }

  async listForWindow(windowId: string): Promise<Report[]> {
    return queryAll(
      this.doc,
      {
        TableName: this.tableName,
        IndexName: REPORTS_INDEX.byWindow,
        KeyConditionExpression: 'windowId = :w',
        ExpressionAttributeValues: { ':w': windowId },
      },
      toReport,
    );
  }

  async markReminded(reportId: string, remindedAt: string): Promise<boolean> {
    return this.conditionalUpdate({
      Key: { reportId },
      UpdateExpression: 'SET remindedAt = :t',
      ConditionExpression: 'attribute_exists(openFlag) AND attribute_not_exists(remindedAt)',
      ExpressionAttributeValues: { ':t': remindedAt },
    });
  }

  async markOverdue(reportId: string, since: IsoDate): Promise<boolean> {
    return this.conditionalUpdate({
      Key: { reportId },
      UpdateExpression: 'SET overdueSince = :d, openFlag = :overdue',
      ConditionExpression: 'attribute_exists(openFlag) AND attribute_not_exists(overdueSince)',
      ExpressionAttributeValues: { ':d': since, ':overdue': REPORT_OVERDUE },
    });
  }

  async setReferrals(reportId: string, referralIds: readonly string[]): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { reportId },
        UpdateExpression: 'SET referralIds = :ids, referralCount = :n',
        ConditionExpression: 'attribute_exists(reportId)',
        ExpressionAttributeValues: { ':ids': referralIds, ':n': referralIds.length },
      }),
    );
  }

  /*
   * Two conditional updates, each monotonic on its own: files are ingested in any order and at once,
   * so neither the latest arrival nor the progress may be overwritten by a file processed later.
   */
  async recordReturn(reportId: string, result: ReportReturn): Promise<void> {
    await this.conditionalUpdate({
      Key: { reportId },
      UpdateExpression: 'SET lastReceivedAt = :r, lastFileOrder = :f, problemCount = :p',
      ConditionExpression:
        'attribute_exists(reportId) AND (attribute_not_exists(lastFileOrder) OR lastFileOrder <= :f)',
      ExpressionAttributeValues: { ':r': result.receivedAt, ':f': result.fileOrder, ':p': result.problemCount },
    });
    const complete = result.status === 'complete';
    await this.conditionalUpdate({
      Key: { reportId },
      // An incomplete report keeps its place in the open index (pending, or marked overdue).
      UpdateExpression: complete
        ? 'SET #status = :s, missingReferralIds = :m REMOVE openFlag, overdueSince'
        : 'SET #status = :s, missingReferralIds = :m, openFlag = if_not_exists(openFlag, :open)',
      // Outcomes are only ever added, so a later consistent count is never higher: a higher one is stale.
      ConditionExpression:
        'attribute_exists(reportId) AND (attribute_not_exists(missingReferralIds) OR size(missingReferralIds) >= :n)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':s': result.status,
        ':m': result.missingReferralIds,
        ':n': result.missingReferralIds.length,
        ...(!complete && { ':open': REPORT_OPEN }),
      },
    });
  }

  /*
   * File claims and applied contents live in the same table under their own keys,
   * `file#<reportId>#<object>` and `content#<reportId>#<hash>`: no report index carries their
   * attributes, so they never show up as reports.
   */
  async claimFile(
    reportId: string,
    objectId: string,
    claimedAt: string,
    staleBefore: string,
  ): Promise<'claimed' | 'done' | 'in-progress'> {
    const key = fileKey(reportId, objectId);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { reportId: key, fileState: 'ingesting', claimedAt },
          ConditionExpression: 'attribute_not_exists(reportId) OR (fileState = :ingesting AND claimedAt < :stale)',
          ExpressionAttributeValues: { ':ingesting': 'ingesting', ':stale': staleBefore },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { reportId: key }, ConsistentRead: true }),
      );
      return out.Item?.fileState === 'done' ? 'done' : 'in-progress';
    }
  }

  async completeFile(reportId: string, objectId: string, contentHash: string, at: string): Promise<void> {
    await this.doc
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: { reportId: contentKey(reportId, contentHash), firstAppliedAt: at },
          ConditionExpression: 'attribute_not_exists(reportId)',
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { reportId: fileKey(reportId, objectId), fileState: 'done', doneAt: at },
      }),
    );
  }

  async firstApplied(reportId: string, contentHash: string): Promise<string | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { reportId: contentKey(reportId, contentHash) },
        ConsistentRead: true,
      }),
    );
    return typeof out.Item?.firstAppliedAt === 'string' ? out.Item.firstAppliedAt : undefined;
  }

  async releaseFile(reportId: string, objectId: string): Promise<void> {
    await this.doc
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { reportId: fileKey(reportId, objectId) },
          ConditionExpression: 'fileState = :ingesting',
          ExpressionAttributeValues: { ':ingesting': 'ingesting' },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  private async conditionalUpdate(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) {
    try {
      await this.doc.send(new UpdateCommand({ TableName: this.tableName, ...input }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

/** Items are written only by this adapter: the cast restores the type the put took. */
function toReport(item: Record<string, unknown>): Report {
  const copy: Record<string, unknown> = { ...item };
  for (const attr of INTERNAL) delete copy[attr];
  return copy as unknown as Report;
}
