import { Aws, Duration, Validations, aws_iam as iam, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KEPT, stackInstanceSuffix } from './retention';
import { nagResource } from './nag-finding';

/**
 * The bucket's prefixes: generated sheets (shared/domain/report.ts reportFileKey), sheets uploaded
 * back, inbound email as SES stores it, and the sheets mail-intake takes out of it (RETURN_PREFIXES of
 * shared/api/jobs.ts). Written out here; test/infra pins them to the shared ones.
 */
export const REPORT_PREFIXES = {
  generated: 'reports/',
  returned: 'returned/',
  inbound: 'inbound/',
  received: 'received/',
} as const;
export type ReportPrefix = keyof typeof REPORT_PREFIXES;

export interface ReportsBucketProps {
  readonly environment: string;
  /** Encrypts every object (SSE-KMS, with an S3 bucket key). */
  readonly key: kms.IKey;
  /** Receives the bucket's server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  readonly accessLogsPrefix: string;
  /** Days report files (generated, returned, inbound mail) are kept. */
  readonly retentionDays: number;
  /** Days a replaced or deleted version is kept before it expires. @default 30 */
  readonly noncurrentVersionDays?: number;
}

/**
 * The reports bucket: the .xlsx sheets sent to organizations, the sheets they upload back and the
 * emails they reply with. Consumer names and phones are in these files, so: no public access,
 * SSE-KMS with the data key, TLS 1.2+ only, versioning, server access logs, and every file expires
 * after the retention. New objects are announced to EventBridge (the ingest rule reads them there).
 */
export class ReportsBucket extends Construct {
  public readonly bucket: s3.Bucket;
  private readonly key: kms.IKey;
  private readonly name: string;

  constructor(scope: Construct, id: string, props: ReportsBucketProps) {
    super(scope, id);
    this.key = props.key;
    // Unique without the account (63 characters at most): a new name for each stack created, so the
    // retry of a failed first create never meets the bucket an earlier attempt left.
    this.name = `pal-${props.environment}-reports-${Aws.REGION}-${stackInstanceSuffix()}`;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      // Named, so the data key's policy can name it for SES without a dependency cycle.
      bucketName: this.name,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: props.accessLogsPrefix,
      // Consumer PII: never deleted with the stack; the lifecycle below is what removes it.
      removalPolicy: KEPT,
      lifecycleRules: [
        {
          id: 'expire-report-files',
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? 30),
          expiredObjectDeleteMarker: false,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    // Object Created events to EventBridge, set on the bucket itself (CDK's `eventBridgeEnabled`
    // would deploy a custom-resource Lambda to do the same).
    (this.bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride(
      'NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled',
      true,
    );

    Validations.of(this.bucket).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason:
        'Report files are working copies kept for a limited retention: the sheets are rebuilt from DynamoDB ' +
        '(point-in-time recovery and AWS Backup) and outcomes are stored there; a second region would only ' +
        'spread consumer PII.',
    });
  }

  /** The bucket's ARN as the data key's policy names it (no reference to the bucket: no cycle). */
  public get arnWithoutReference(): string {
    return `arn:${Aws.PARTITION}:s3:::${this.name}`;
  }

  /** Lets a role read objects under one prefix (GetObject; HeadObject needs the same). */
  public grantReadObjects(role: iam.Role, prefix: ReportPrefix): void {
    this.grantObjects(role, prefix, 's3:GetObject', 'kms:Decrypt');
  }

  /** Lets a role write objects under one prefix (directly, or through a presigned POST it signs). */
  public grantWriteObjects(role: iam.Role, prefix: ReportPrefix): void {
    this.grantObjects(role, prefix, 's3:PutObject', 'kms:GenerateDataKey');
  }

  private grantObjects(role: iam.Role, prefix: ReportPrefix, action: string, keyAction: string): void {
    const keys = `${REPORT_PREFIXES[prefix]}*`;
    iam.Grant.addToPrincipal({ grantee: role, actions: [action], resourceArns: [this.bucket.arnForObjects(keys)] });
    this.grantKey(role, [keyAction]);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, this.bucket.arnForObjects(keys))}]`,
      reason: `Object keys are generated per report and upload; the grant is limited to the ${REPORT_PREFIXES[prefix]} prefix.`,
    });
  }

  private grantKey(grantee: iam.IGrantable, actions: string[]): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
    });
  }
}
