import { aws_dynamodb as dynamodb, aws_iam as iam, aws_kms as kms, Aws } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KEPT_EVEN_IF_CREATE_FAILS } from './retention';
import { pascal } from './names';
import type { TableRole } from '../../../shared/adapters/dynamo-tables';
import { TABLE_DEFINITIONS, TTL_ATTRIBUTE } from '../../../shared/adapters/dynamo-tables';

export interface DataTablesProps {
  /** Encrypts every table (customer managed). */
  readonly key: kms.IKey;
}

/** The environment variable each table's name is passed in (shared/config.ts). */
export const TABLE_ENV: Record<TableRole, string> = {
  referrals: 'REFERRALS_TABLE',
  directory: 'DIRECTORY_TABLE',
  consumerHistory: 'CONSUMER_HISTORY_TABLE',
  reports: 'REPORTS_TABLE',
  audit: 'AUDIT_TABLE',
};

/** Tables whose items expire: consumer history keys live only for the repeat window. */
const TTL_TABLES: readonly TableRole[] = ['consumerHistory'];

/**
 * 'append' and 'readAppend' are for a log that is only ever added to (the audit table): PutItem,
 * never an update or a delete. 'readUpdate' changes items in place and never puts or deletes one
 * (routing's load counters beside the directory's profiles).
 */
export type TableAccess = 'read' | 'readWrite' | 'append' | 'readAppend' | 'readUpdate';

// Exact actions, no Scan (docs/architecture.md: no Scan on a request path) and no wildcards.
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey'];
const ACTIONS: Record<TableAccess, { item: string[]; key: string[] }> = {
  read: { item: READ_ACTIONS, key: KEY_READ_ACTIONS },
  readWrite: { item: [...READ_ACTIONS, ...WRITE_ACTIONS], key: [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] },
  append: { item: ['dynamodb:PutItem'], key: [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] },
  readAppend: { item: [...READ_ACTIONS, 'dynamodb:PutItem'], key: [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] },
  readUpdate: { item: [...READ_ACTIONS, 'dynamodb:UpdateItem'], key: [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] },
};

/**
 * The DynamoDB tables, keyed exactly as shared/adapters/dynamo-tables.ts defines them (the local
 * stack creates its tables from the same definitions): on-demand, encrypted with the data key,
 * point-in-time recovery, deletion protection, retained when the stack goes, TTL where items expire.
 */
export class DataTables extends Construct {
  public readonly tables: Readonly<Record<TableRole, dynamodb.Table>>;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: DataTablesProps) {
    super(scope, id);
    this.key = props.key;
    const roles = Object.keys(TABLE_DEFINITIONS) as TableRole[];
    this.tables = Object.fromEntries(roles.map((role) => [role, this.createTable(role, props.key)])) as Record<
      TableRole,
      dynamodb.Table
    >;
  }

  /** Every table, with its role. */
  public get all(): [TableRole, dynamodb.Table][] {
    return Object.entries(this.tables) as [TableRole, dynamodb.Table][];
  }

  /**
   * Grants a principal exactly the item actions it needs on one table and its indexes (named one by
   * one), with the key use DynamoDB makes on its behalf.
   */
  public grant(grantee: iam.IGrantable, role: TableRole, access: TableAccess): void {
    const table = this.tables[role];
    const indexArns = (TABLE_DEFINITIONS[role].GlobalSecondaryIndexes ?? []).map(
      (index) => `${table.tableArn}/index/${index.IndexName}`,
    );
    iam.Grant.addToPrincipal({
      grantee,
      actions: ACTIONS[access].item,
      // An append-only principal writes items only, never through an index.
      resourceArns: access === 'append' ? [table.tableArn] : [table.tableArn, ...indexArns],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ACTIONS[access].key,
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
    });
  }

  private createTable(role: TableRole, key: kms.IKey): dynamodb.Table {
    const definition = TABLE_DEFINITIONS[role];
    const attribute = (name: string): dynamodb.Attribute => {
      const type = definition.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
      if (type === undefined) throw new Error(`${role}: attribute ${name} has no definition`);
      return { name, type: type as dynamodb.AttributeType };
    };
    const keys = (schema: NonNullable<typeof definition.KeySchema>) => {
      const partition = schema.find((k) => k.KeyType === 'HASH')?.AttributeName;
      const sort = schema.find((k) => k.KeyType === 'RANGE')?.AttributeName;
      if (!partition) throw new Error(`${role}: a key schema has no partition key`);
      return { partitionKey: attribute(partition), ...(sort && { sortKey: attribute(sort) }) };
    };

    const table = new dynamodb.Table(this, pascal(role), {
      ...keys(definition.KeySchema ?? []),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      deletionProtection: true,
      // Consumer PII: never deleted with the stack.
      removalPolicy: KEPT_EVEN_IF_CREATE_FAILS,
      ...(TTL_TABLES.includes(role) && { timeToLiveAttribute: TTL_ATTRIBUTE }),
    });
    for (const index of definition.GlobalSecondaryIndexes ?? []) {
      const projection = index.Projection?.ProjectionType;
      table.addGlobalSecondaryIndex({
        indexName: index.IndexName!,
        ...keys(index.KeySchema ?? []),
        projectionType:
          projection === 'KEYS_ONLY'
            ? dynamodb.ProjectionType.KEYS_ONLY
            : projection === 'INCLUDE'
              ? dynamodb.ProjectionType.INCLUDE
              : dynamodb.ProjectionType.ALL,
        ...(projection === 'INCLUDE' && { nonKeyAttributes: index.Projection?.NonKeyAttributes ?? [] }),
      });
    }
    return table;
  }
}
