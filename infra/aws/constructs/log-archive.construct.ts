import { Duration, Validations, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KEPT_EVEN_IF_CREATE_FAILS } from './retention';

export interface LogArchiveProps {
  /** Days S3 server access logs and VPC flow logs are kept. */
  readonly retentionDays: number;
}

/**
 * The bucket that receives S3 server access logs (of the reports bucket) and VPC flow logs. It is
 * the end of the logging chain: it cannot log to itself, and S3 server access logging only delivers
 * to buckets encrypted with S3-managed keys. Retained: audit evidence outlives the stack.
 */
export class LogArchive extends Construct {
  public readonly bucket: s3.Bucket;
  /** Prefix of the reports bucket's server access logs. */
  public static readonly ACCESS_LOGS_PREFIX = 'reports-bucket/';
  /** Prefix of the VPC flow logs. */
  public static readonly FLOW_LOGS_PREFIX = 'vpc-flow-logs/';

  constructor(scope: Construct, id: string, props: LogArchiveProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy: KEPT_EVEN_IF_CREATE_FAILS,
      lifecycleRules: [
        {
          id: 'expire-logs',
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    const endOfChain = 'The log archive is the end of the logging chain; logging it to itself would loop.';
    Validations.of(this.bucket).acknowledge({ id: 'AwsSolutions-S1', reason: endOfChain });
    Validations.of(this.bucket).acknowledge({ id: 'HIPAA.Security-S3BucketLoggingEnabled', reason: endOfChain });
    Validations.of(this.bucket).acknowledge({
      id: 'HIPAA.Security-S3DefaultEncryptionKMS',
      reason: 'S3 server access logging delivers only to buckets encrypted with S3-managed keys (SSE-S3).',
    });
    Validations.of(this.bucket).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason: 'Access and flow logs hold no consumer data; one region with versioning is their retention.',
    });
  }
}
