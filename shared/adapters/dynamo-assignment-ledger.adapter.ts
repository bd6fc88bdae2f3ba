import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { LoadPeriods } from '../domain/load-periods';
import type { IsoDate } from '../domain/minnesota-time';
import type { Referral, StoredRoutingDecision } from '../domain/referral';
import type { OrganizationLoad } from '../domain/routing';
import type { AssignmentLedger, AssignResult, Slot } from '../ports/referral-store.port';
import { batchGetAll } from './dynamo-batch';
import { DynamoReferralStore } from './dynamo-referral-store.adapter';

/*
 * Load counters live in the directory table, beside each organization's profile (pk ORG#<id>):
 *   sk LOAD#WINDOW#<windowId>   leads   routed to it for referrals made in that reporting window
 *   sk LOAD#WEEK#<monday>       leads   … in that week (weekly capacity is checked on this one)
 *   sk LOAD#LATEST              lastAssignedAt   the referral date of the lead routed to it last
 * They carry no `kind`, so the byKind index (the organization list) never sees them. One
 * TransactWriteItems stores the decision on the referral (only if none is stored) and counts the
 * lead; a cancellation says which condition failed: the referral (decided already) or the week (full).
 */
const REFERRAL = 0;
const WEEK = 1;

type Json = Record<string, unknown>;
type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

const orgPk = (organizationId: string) => `ORG#${organizationId}`;
const windowSk = (windowId: string) => `LOAD#WINDOW#${windowId}`;
const weekSk = (monday: IsoDate) => `LOAD#WEEK#${monday}`;
const LATEST_SK = 'LOAD#LATEST';

export class DynamoAssignmentLedger implements AssignmentLedger {
  private readonly referrals: DynamoReferralStore;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly referralsTable: string,
    private readonly directoryTable: string,
  ) {
    this.referrals = new DynamoReferralStore(doc, referralsTable);
  }

  async loadsOf(organizationIds: readonly string[], periods: LoadPeriods): Promise<Map<string, OrganizationLoad>> {
    const keys = organizationIds.flatMap((id) => [
      { pk: orgPk(id), sk: weekSk(periods.weekOf) },
      { pk: orgPk(id), sk: LATEST_SK },
      ...(periods.windowId ? [{ pk: orgPk(id), sk: windowSk(periods.windowId) }] : []),
    ]);
    const items = await batchGetAll(this.doc, this.directoryTable, keys, { consistentRead: true });
    const found = new Map(items.map((i) => [`${String(i.pk)}|${String(i.sk)}`, i]));
    // A count below zero is a release of a lead counted before the counters existed: none is held.
    const leads = (pk: string, sk: string) => Math.max(0, Number(found.get(`${pk}|${sk}`)?.leads ?? 0));
    return new Map(
      organizationIds.map((id) => {
        const pk = orgPk(id);
        const leadsThisWeek = leads(pk, weekSk(periods.weekOf));
        const latest = found.get(`${pk}|${LATEST_SK}`)?.lastAssignedAt;
        const load: OrganizationLoad = {
          leadsThisWindow: periods.windowId ? leads(pk, windowSk(periods.windowId)) : leadsThisWeek,
          leadsThisWeek,
          ...(typeof latest === 'string' && { lastAssignedAt: latest }),
        };
        return [id, load];
      }),
    );
  }

  async assign(referralId: string, decision: StoredRoutingDecision, slot: Slot): Promise<AssignResult> {
    const items: TransactItems = [
      {
        Update: {
          TableName: this.referralsTable,
          Key: { referralId },
          UpdateExpression: 'SET routing = :d, #status = :s, assignedOrganizationId = :o',
          ConditionExpression: 'attribute_exists(referralId) AND attribute_not_exists(routing)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':d': decision, ':s': 'routed', ':o': slot.organizationId },
        },
      },
      ...this.count(slot, 1),
    ];
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (!reasons) throw error;
      if (reasons[REFERRAL] === 'ConditionalCheckFailed') {
        const current = await this.referrals.get(referralId);
        if (!current) throw new Error(`Referral ${referralId} does not exist`, { cause: error });
        return { outcome: 'already-decided', referral: current };
      }
      if (reasons[WEEK] === 'ConditionalCheckFailed') return { outcome: 'full' };
      if (reasons.includes('TransactionConflict')) return { outcome: 'contended' };
      throw error;
    }
    const stored = await this.referrals.get(referralId);
    if (!stored) throw new Error(`Referral ${referralId} vanished after its routing was stored`);
    return { outcome: 'assigned', referral: stored };
  }

  async move(
    current: Referral,
    from: Slot | undefined,
    to: Slot,
    decision: StoredRoutingDecision,
  ): Promise<Referral | undefined> {
    const lead = current.lead;
    const items: TransactItems = [
      {
        Update: {
          TableName: this.referralsTable,
          Key: { referralId: current.referralId },
          UpdateExpression: `SET routing = :d, assignedOrganizationId = :o, #status = :routed${
            lead ? ', previousLeads = list_append(if_not_exists(previousLeads, :none), :lead) REMOVE #lead' : ''
          }`,
          ConditionExpression: from ? 'assignedOrganizationId = :from' : 'attribute_not_exists(assignedOrganizationId)',
          ExpressionAttributeNames: { '#status': 'status', ...(lead && { '#lead': 'lead' }) },
          ExpressionAttributeValues: {
            ':d': decision,
            ':o': to.organizationId,
            ':routed': 'routed',
            ...(from && { ':from': from.organizationId }),
            ...(lead && { ':none': [], ':lead': [lead] }),
          },
        },
      },
      ...this.count({ ...to, weeklyLimit: undefined }, 1),
      ...(from ? this.count(from, -1) : []),
    ];
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (cancellationCodes(error)?.[REFERRAL] === 'ConditionalCheckFailed') return undefined;
      throw error;
    }
    return this.referrals.get(current.referralId);
  }

  async setCounts(
    organizationId: string,
    counts: { readonly windowId?: string; readonly window?: number; readonly weeks: ReadonlyMap<IsoDate, number> },
  ): Promise<void> {
    const pk = orgPk(organizationId);
    const puts = [...counts.weeks].map(([monday, leads]) => ({ pk, sk: weekSk(monday), leads }));
    if (counts.windowId !== undefined && counts.window !== undefined) {
      puts.push({ pk, sk: windowSk(counts.windowId), leads: counts.window });
    }
    for (const item of puts) await this.doc.send(new PutCommand({ TableName: this.directoryTable, Item: item }));
  }

  /** The week first (its condition is the one a cancellation is read for), then the window, then the latest. */
  private count(slot: Slot, by: 1 | -1): TransactItems {
    const pk = orgPk(slot.organizationId);
    const add = (sk: string, limit?: number) => ({
      Update: {
        TableName: this.directoryTable,
        Key: { pk, sk },
        UpdateExpression: 'ADD leads :by',
        ...(limit !== undefined && { ConditionExpression: 'attribute_not_exists(leads) OR leads < :limit' }),
        ExpressionAttributeValues: { ':by': by, ...(limit !== undefined && { ':limit': limit }) } as Json,
      },
    });
    return [
      add(weekSk(slot.periods.weekOf), by > 0 ? slot.weeklyLimit : undefined),
      ...(slot.periods.windowId ? [add(windowSk(slot.periods.windowId))] : []),
      ...(by > 0
        ? [
            {
              Update: {
                TableName: this.directoryTable,
                Key: { pk, sk: LATEST_SK },
                UpdateExpression: 'SET lastAssignedAt = :at',
                ExpressionAttributeValues: { ':at': slot.referredAt },
              },
            },
          ]
        : []),
    ];
  }
}

/** The codes of a TransactionCanceledException, one per action in order; undefined for other errors. */
function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code);
}
