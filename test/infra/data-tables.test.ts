import { Match } from 'aws-cdk-lib/assertions';
import type { TableRole } from '../../shared/adapters/dynamo-tables';
import { TABLE_DEFINITIONS, TTL_ATTRIBUTE } from '../../shared/adapters/dynamo-tables';
import type { PalSynth } from './support/pal-app';
import { cdkJsonContext, synthPal } from './support/pal-app';
import { flat, resourcesOfType } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

const roles = Object.keys(TABLE_DEFINITIONS) as TableRole[];
const tableOf = (role: TableRole) => synth.resources[synth.idOf(synth.stack.data.tables[role])]!.Properties!;

/** A key schema or index as a comparable value, whatever order either side lists things in. */
const sortBy = <T>(items: readonly T[] | undefined, key: (t: T) => string) =>
  [...(items ?? [])].sort((a, b) => key(a).localeCompare(key(b)));

describe('DataTables', () => {
  test('declares one table per TABLE_DEFINITIONS entry, and no other', () => {
    expect(resourcesOfType(synth, 'AWS::DynamoDB::Table')).toHaveLength(roles.length);
  });

  test.each(roles)('the %s table has exactly the keys, attributes and indexes of TABLE_DEFINITIONS', (role) => {
    const definition = TABLE_DEFINITIONS[role];
    const table = tableOf(role);
    expect(table.KeySchema).toEqual(definition.KeySchema);
    expect(sortBy(table.AttributeDefinitions as { AttributeName: string }[], (a) => a.AttributeName)).toEqual(
      sortBy(definition.AttributeDefinitions, (a) => a.AttributeName!),
    );
    const indexes = (table.GlobalSecondaryIndexes ?? []) as Record<string, unknown>[];
    expect(
      sortBy(indexes, (i) => i.IndexName as string).map((i) => ({
        IndexName: i.IndexName,
        KeySchema: i.KeySchema,
        Projection: i.Projection,
      })),
    ).toEqual(sortBy(definition.GlobalSecondaryIndexes, (i) => i.IndexName!));
    expect(table.BillingMode).toBe(definition.BillingMode);
  });

  test.each(roles)('the %s table is encrypted with the data key, has 35-day PITR and deletion protection', (role) => {
    const table = tableOf(role);
    expect(table.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [synth.idOf(synth.stack.encryption.dataKey), 'Arn'] },
    });
    expect(table.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
      RecoveryPeriodInDays: 35,
    });
    expect(table.DeletionProtectionEnabled).toBe(true);
    const resource = synth.resources[synth.idOf(synth.stack.data.tables[role])]!;
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });

  test('items expire by expiresAt in the consumer history only (the other tables keep theirs)', () => {
    expect(TTL_ATTRIBUTE).toBe('expiresAt');
    for (const role of roles) {
      const ttl = tableOf(role).TimeToLiveSpecification;
      if (role === 'consumerHistory') expect(ttl).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
      else expect(ttl).toBeUndefined();
    }
  });

  test('the data key rotates and outlives the stack (not a rolled-back first create)', () => {
    synth.template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true, Description: Match.stringLikeRegexp('consumer data') }),
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('DataBackup', () => {
  test('backs up every table daily into a vault encrypted with the data key, kept for the configured days', () => {
    const [[, vault]] = resourcesOfType(synth, 'AWS::Backup::BackupVault') as [[string, Record<string, unknown>]];
    expect(flat(vault.EncryptionKeyArn)).toBe(`<${synth.idOf(synth.stack.encryption.dataKey)}.Arn>`);
    // No principal may delete or shorten a recovery point.
    expect(JSON.stringify(vault.AccessPolicy)).toContain('backup:DeleteRecoveryPoint');
    expect(JSON.stringify(vault.AccessPolicy)).toContain('"Effect":"Deny"');

    const [[, plan]] = resourcesOfType(synth, 'AWS::Backup::BackupPlan') as [[string, Record<string, unknown>]];
    const rules = (plan.BackupPlan as { BackupPlanRule: Record<string, unknown>[] }).BackupPlanRule;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      ScheduleExpression: 'cron(0 9 * * ? *)',
      Lifecycle: { DeleteAfterDays: cdkJsonContext().backupRetentionDays },
    });

    const [[, selection]] = resourcesOfType(synth, 'AWS::Backup::BackupSelection') as [
      [string, Record<string, unknown>],
    ];
    const selected = ((selection.BackupSelection as { Resources: unknown[] }).Resources ?? []).map(flat).sort();
    expect(selected).toEqual(roles.map((r) => `<${synth.idOf(synth.stack.data.tables[r])}.Arn>`).sort());
  });
});
