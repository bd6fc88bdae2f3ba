import {
  Duration,
  Validations,
  aws_backup as backup,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_kms as kms,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KEPT } from './retention';

export interface DataBackupProps {
  readonly environment: string;
  readonly tables: readonly dynamodb.ITable[];
  /** Encrypts the vault's recovery points. */
  readonly key: kms.IKey;
  /** Days each daily recovery point is kept. */
  readonly retentionDays: number;
}

/**
 * Daily AWS Backup recovery points of the tables, beside their 35-day point-in-time recovery: a
 * separate vault whose recovery points no principal may delete or shorten, so a mistaken or
 * malicious table deletion (and its PITR) is still recoverable.
 */
export class DataBackup extends Construct {
  public readonly vault: backup.BackupVault;
  public readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: DataBackupProps) {
    super(scope, id);
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: `pal-${props.environment}`,
      encryptionKey: props.key,
      blockRecoveryPointDeletion: true,
      removalPolicy: KEPT,
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: `pal-${props.environment}-tables`,
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          // 09:00 UTC: 03:00 or 04:00 in Minnesota, when no report job runs.
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '9' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(4),
          deleteAfter: Duration.days(props.retentionDays),
        }),
      ],
    });
    const selection = this.plan.addSelection('Tables', {
      resources: props.tables.map((t) => backup.BackupResource.fromDynamoDbTable(t)),
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        "AWS Backup's service role uses AWS's AWSBackupServiceRolePolicyForBackup/ForRestores, which AWS keeps " +
        'current with the services it backs up; it is assumable by AWS Backup only.',
    });
  }
}
