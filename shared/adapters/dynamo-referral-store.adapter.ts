import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  LeadDelivery,
  RecordedOutcome,
  Referral,
  ReferralStatus,
  StoredRoutingDecision,
} from '../domain/referral';
import { sameAnswer } from '../domain/referral';
import type {
  CreateResult,
  OutcomeWrite,
  ReferralStore,
  ReferralSummary,
  ReportReferrals,
} from '../ports/referral-store.port';
import { addDays, minnesotaDateOf } from '../domain/minnesota-time';
import { batchGetAll } from './dynamo-batch';
import { queryItems } from './dynamo-query';
import { PUBLISH_PENDING, REFERRALS_INDEX } from './dynamo-tables';

/** Index attributes that live on the item but are not part of the referral. */
const INTERNAL_ATTRIBUTES = [
  'publishPending',
  'assignedOrganizationId',
  'referredOn',
  'countyFips',
  'preferredLanguage',
] as const;

/** Top-level copies for the byDay index (which can project only top-level, non-PII attributes). */
function dayIndexAttributes(referral: Referral) {
  return {
    referredOn: minnesotaDateOf(new Date(referral.referredAt)),
    countyFips: referral.consumer.countyFips,
    ...(referral.consumer.preferredLanguage && { preferredLanguage: referral.consumer.preferredLanguage }),
  };
}

export class DynamoReferralStore implements ReferralStore, ReportReferrals {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(referral: Referral): Promise<CreateResult> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...referral, publishPending: PUBLISH_PENDING, ...dayIndexAttributes(referral) },
          ConditionExpression: 'attribute_not_exists(referralId)',
        }),
      );
      return { created: true, referral };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(referral.referralId);
      if (!existing) throw new Error('Referral vanished between a conditional put and a read', { cause: error });
      return { created: false, existing };
    }
  }

  async get(referralId: string): Promise<Referral | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { referralId }, ConsistentRead: true }),
    );
    return out.Item ? toReferral(out.Item) : undefined;
  }

  async markPublished(referralId: string, publishedAt: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { referralId },
        UpdateExpression: 'SET publishedAt = :t REMOVE publishPending',
        ConditionExpression: 'attribute_exists(referralId)',
        ExpressionAttributeValues: { ':t': publishedAt },
      }),
    );
  }

  async listUnpublished(receivedBefore: string, limit: number): Promise<Referral[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: REFERRALS_INDEX.unpublished,
        KeyConditionExpression: 'publishPending = :p AND receivedAt < :before',
        ExpressionAttributeValues: { ':p': PUBLISH_PENDING, ':before': receivedBefore },
        Limit: limit,
      }),
    );
    const referrals = await Promise.all((out.Items ?? []).map((i) => this.get(String(i.referralId))));
    return referrals.filter((r): r is Referral => r !== undefined && r.publishedAt === undefined);
  }

  async recordRouting(
    referralId: string,
    decision: StoredRoutingDecision,
    status: Extract<ReferralStatus, 'routed' | 'unroutable'>,
  ): Promise<Referral> {
    const assign = decision.organizationId !== undefined;
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { referralId },
          UpdateExpression: `SET routing = :d, #status = :s${assign ? ', assignedOrganizationId = :o' : ''}`,
          ConditionExpression: 'attribute_exists(referralId) AND attribute_not_exists(routing)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':d': decision, ':s': status, ...(assign && { ':o': decision.organizationId }) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toReferral(out.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.get(referralId);
      if (!current) throw new Error(`Referral ${referralId} does not exist`, { cause: error });
      return current;
    }
  }

  async claimLeadEmail(referralId: string, claim: LeadDelivery): Promise<{ claimed: true } | { claimed: false }> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { referralId },
          UpdateExpression: 'SET #lead = :claim',
          // A first claim, or a new attempt after a refusal that no other delivery has taken meanwhile.
          ConditionExpression:
            'attribute_exists(routing) AND (attribute_not_exists(#lead) OR (#lead.#state = :failed AND #lead.attempts = :previous))',
          ExpressionAttributeNames: { '#lead': 'lead', '#state': 'state' },
          ExpressionAttributeValues: { ':claim': claim, ':failed': 'failed', ':previous': claim.attempts - 1 },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (isConditionFailure(error)) return { claimed: false };
      throw error;
    }
  }

  async completeLeadEmail(referralId: string, messageId: string, emailedAt: string): Promise<void> {
    await this.setLeadState(referralId, 'sent', 'emailed', { messageId, emailedAt });
  }

  async releaseLeadEmail(referralId: string, errorCode: string): Promise<void> {
    await this.setLeadState(referralId, 'failed', 'email-failed', { lastErrorCode: errorCode });
  }

  async markLeadInDoubt(referralId: string, errorCode: string): Promise<void> {
    await this.setLeadState(referralId, 'in-doubt', 'email-failed', { lastErrorCode: errorCode });
  }

  async reopenLead(referralId: string, lead: LeadDelivery): Promise<Referral | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { referralId },
          UpdateExpression:
            'SET previousLeads = list_append(if_not_exists(previousLeads, :none), :lead), #status = :routed REMOVE #lead',
          ConditionExpression: '#lead.#state = :state AND #lead.claimedAt = :claimedAt',
          ExpressionAttributeNames: { '#lead': 'lead', '#state': 'state', '#status': 'status' },
          ExpressionAttributeValues: {
            ':none': [],
            ':lead': [lead],
            ':routed': 'routed',
            ':state': lead.state,
            ':claimedAt': lead.claimedAt,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toReferral(out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Every referral made on the Minnesota days [fromDay, toDay] (one index query a day). */
  async *referredBetween(fromDay: string, toDay: string): AsyncIterable<ReferralSummary> {
    for (let day = fromDay; day <= toDay; day = addDays(day, 1)) {
      const items = queryItems(this.doc, {
        TableName: this.tableName,
        IndexName: REFERRALS_INDEX.byDay,
        KeyConditionExpression: 'referredOn = :d',
        ExpressionAttributeValues: { ':d': day },
      });
      for await (const i of items) {
        yield {
          referralId: String(i.referralId),
          referredAt: String(i.referredAt),
          countyFips: String(i.countyFips),
          assisterType: i.assisterType as ReferralSummary['assisterType'],
          ...(i.preferredLanguage !== undefined && { preferredLanguage: String(i.preferredLanguage) }),
          status: i.status as ReferralStatus,
          ...(i.assignedOrganizationId !== undefined && { organizationId: String(i.assignedOrganizationId) }),
        };
      }
    }
  }

  async *assignedBetween(organizationId: string, referredFrom: string, referredTo: string): AsyncIterable<Referral> {
    const items = queryItems(this.doc, {
      TableName: this.tableName,
      IndexName: REFERRALS_INDEX.byOrganization,
      KeyConditionExpression: 'assignedOrganizationId = :o AND referredAt BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':o': organizationId, ':a': referredFrom, ':b': referredTo },
    });
    for await (const item of items) yield toReferral(item);
  }

  async anyAssignedBetween(organizationId: string, referredFrom: string, referredTo: string): Promise<boolean> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: REFERRALS_INDEX.byOrganization,
        KeyConditionExpression: 'assignedOrganizationId = :o AND referredAt BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':o': organizationId, ':a': referredFrom, ':b': referredTo },
        ProjectionExpression: 'referralId',
        Limit: 1,
      }),
    );
    return (out.Items?.length ?? 0) > 0;
  }

  async getMany(referralIds: readonly string[]): Promise<Referral[]> {
    const items = await batchGetAll(
      this.doc,
      this.tableName,
      referralIds.map((referralId) => ({ referralId })),
      { consistentRead: true },
    );
    return items.map(toReferral);
  }

  async recordOutcome(referralId: string, organizationId: string, outcome: RecordedOutcome): Promise<OutcomeWrite> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { referralId },
          UpdateExpression: 'SET outcome = :o',
          // Files are applied in any order (retries, two uploads at once): the later file wins.
          ConditionExpression:
            'assignedOrganizationId = :org AND (attribute_not_exists(outcome) OR outcome.fileOrder <= :t)',
          ExpressionAttributeValues: { ':o': outcome, ':org': organizationId, ':t': outcome.fileOrder },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const before = out.Attributes?.outcome as RecordedOutcome | undefined;
      return before && sameAnswer(before, outcome) ? 'unchanged' : 'changed';
    } catch (error) {
      if (isConditionFailure(error)) return 'superseded';
      throw error;
    }
  }

  /** Moves a held claim (`sending`) to its outcome, setting the given fields of `lead`. */
  private async setLeadState(
    referralId: string,
    state: LeadDelivery['state'],
    status: ReferralStatus,
    fields: Record<string, string>,
  ): Promise<void> {
    const names: Record<string, string> = { '#lead': 'lead', '#state': 'state', '#status': 'status' };
    const values: Record<string, unknown> = { ':state': state, ':status': status, ':sending': 'sending' };
    const sets = ['#lead.#state = :state', '#status = :status'];
    Object.entries(fields).forEach(([attr, value], i) => {
      names[`#f${i}`] = attr;
      values[`:f${i}`] = value;
      sets.push(`#lead.#f${i} = :f${i}`);
    });
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { referralId },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: '#lead.#state = :sending',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}

function toReferral(item: Record<string, unknown>): Referral {
  const copy: Record<string, unknown> = { ...item };
  for (const attr of INTERNAL_ATTRIBUTES) delete copy[attr];
  return copy as unknown as Referral;
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
