import { Aws, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KEPT } from './retention';

export interface EncryptionProps {
  /** Environment name, used in the key aliases. */
  readonly environment: string;
}

/**
 * The customer managed KMS keys, one per kind of content, so each key policy names only the AWS
 * services that content needs:
 * - data: consumer PII at rest (tables, report files, secrets, backups);
 * - logs: CloudWatch Logs (functions, API access logs, firewall logs);
 * - messaging: dead-letter queues and SNS topics (event envelopes and alarm texts, ids only).
 * Keys rotate yearly and are retained: deleting one would make its data unreadable.
 */
export class Encryption extends Construct {
  public readonly dataKey: kms.Key;
  public readonly logsKey: kms.Key;
  public readonly messagingKey: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptionProps) {
    super(scope, id);
    const key = (name: string, description: string) =>
      new kms.Key(this, name, {
        alias: `alias/pal-${props.environment}-${name.toLowerCase()}`,
        description,
        enableKeyRotation: true,
        removalPolicy: KEPT,
      });

    this.dataKey = key('Data', 'PAL referrals: consumer data at rest (tables, report files, secrets, backups)');
    this.logsKey = key('Logs', 'PAL referrals: CloudWatch Logs of the functions, APIs and firewall');
    this.messagingKey = key('Messaging', 'PAL referrals: dead-letter queues and SNS topics');

    // CloudWatch Logs encrypts with the key only for this account's log groups.
    this.logsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );

    // Services that write into encrypted queues and topics on this account's behalf: CloudWatch
    // (alarms to SNS) and SNS (subscription dead-letter queues). Not EventBridge: the functions'
    // dead-letter queues use SSE-SQS (dead-letter-queue.construct.ts says why).
    this.messagingKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ServicesPublishingForThisAccount',
        principals: ['cloudwatch', 'sns'].map((s) => new iam.ServicePrincipal(`${s}.amazonaws.com`)),
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }

  /**
   * Lets SES's receipt rule store inbound mail in a bucket encrypted with the data key (S3 asks KMS
   * for a data key on SES's behalf), for that bucket only.
   */
  public allowSesToStoreMailIn(bucketArn: string): void {
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesReceiptRuleStoresInboundMail',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com`,
            'kms:EncryptionContext:aws:s3:arn': bucketArn,
          },
        },
      }),
    );
  }
}
