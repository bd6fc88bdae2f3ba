import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The tables' key designs, defined once: the local stack creates them from here and the CDK
 * app declares the same keys. Each index serves an access pattern of docs/architecture.md.
 */
export const REFERRALS_INDEX = {
  /** Pattern 3 and the load recount (never routing): referrals of organization O by referral date. */
  byOrganization: 'byOrganization',
  /** The sweeper: referrals whose `Referral Created` is not yet published (sparse). */
  unpublished: 'unpublished',
  /** Coverage and ops: every referral of a Minnesota day, routed or not. */
  byDay: 'byDay',
} as const;

export const REPORTS_INDEX = {
  /** Pattern 4: reports not complete, by due date (sparse: complete reports leave it). */
  open: 'open',
  /** Performance: every report of a reporting window. */
  byWindow: 'byWindow',
} as const;

/** Value of the sparse `openFlag` attribute while a report is not complete (and not yet marked overdue). */
export const REPORT_OPEN = 'OPEN';
/**
 * `openFlag` once the report is marked overdue and still not complete: the due-date job reads only the
 * reports still to remind or mark, and counts these, so a season's backlog is never loaded again.
 */
export const REPORT_OVERDUE = 'OVERDUE';

export const DIRECTORY_INDEX = {
  /** Pattern 5: all organizations, without a Scan. */
  byKind: 'byKind',
} as const;

/** Value of the sparse `publishPending` attribute while a referral's creation is unpublished. */
export const PUBLISH_PENDING = 'PENDING';

export type TableRole = 'referrals' | 'directory' | 'consumerHistory' | 'reports' | 'audit';

export const TABLE_DEFINITIONS: Record<TableRole, Omit<CreateTableCommandInput, 'TableName'>> = {
  referrals: {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'referralId', AttributeType: 'S' },
      { AttributeName: 'assignedOrganizationId', AttributeType: 'S' },
      { AttributeName: 'referredAt', AttributeType: 'S' },
      { AttributeName: 'publishPending', AttributeType: 'S' },
      { AttributeName: 'receivedAt', AttributeType: 'S' },
      { AttributeName: 'referredOn', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'referralId', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: REFERRALS_INDEX.byOrganization,
        KeySchema: [
          { AttributeName: 'assignedOrganizationId', KeyType: 'HASH' },
          { AttributeName: 'referredAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: REFERRALS_INDEX.unpublished,
        KeySchema: [
          { AttributeName: 'publishPending', KeyType: 'HASH' },
          { AttributeName: 'receivedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: REFERRALS_INDEX.byDay,
        KeySchema: [
          { AttributeName: 'referredOn', KeyType: 'HASH' },
          { AttributeName: 'referredAt', KeyType: 'RANGE' },
        ],
        // Only what coverage and the ops page count: no consumer PII in this index.
        Projection: {
          ProjectionType: 'INCLUDE',
          NonKeyAttributes: ['countyFips', 'assisterType', 'preferredLanguage', 'status', 'assignedOrganizationId'],
        },
      },
    ],
  },
  directory: {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'kind', AttributeType: 'S' },
      { AttributeName: 'organizationId', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: DIRECTORY_INDEX.byKind,
        KeySchema: [
          { AttributeName: 'kind', KeyType: 'HASH' },
          { AttributeName: 'organizationId', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  },
  consumerHistory: {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'consumerKey', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'consumerKey', KeyType: 'HASH' }],
  },
  audit: {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'subject', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'subject', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  },
  reports: {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'reportId', AttributeType: 'S' },
      { AttributeName: 'openFlag', AttributeType: 'S' },
      { AttributeName: 'dueDate', AttributeType: 'S' },
      { AttributeName: 'windowId', AttributeType: 'S' },
      { AttributeName: 'organizationId', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'reportId', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: REPORTS_INDEX.open,
        KeySchema: [
          { AttributeName: 'openFlag', KeyType: 'HASH' },
          { AttributeName: 'dueDate', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: REPORTS_INDEX.byWindow,
        KeySchema: [
          { AttributeName: 'windowId', KeyType: 'HASH' },
          { AttributeName: 'organizationId', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  },
};

/** Attribute DynamoDB's TTL deletes items by (epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';
