import { Duration, Validations, aws_kms as kms, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /**
   * Encrypts the messages with this key; without one, SQS's own keys (SSE-SQS). The functions'
   * queues take none: what EventBridge, Scheduler and Lambda put there are event envelopes (ids and
   * program facts, no consumer PII), and SSE-SQS needs no key policy for those services. Whether
   * EventBridge's KMS requests through SQS carry aws:SourceAccount (the messaging key's condition)
   * is documented nowhere, so a customer managed key could silently refuse every dead letter.
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html,
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html
   */
  readonly key?: kms.IKey;
  /** What ends up here, for the console and the alarm. */
  readonly description: string;
  /** How long a dead letter waits for someone to look at it. @default 14 days (SQS's maximum) */
  readonly retention?: Duration;
}

/**
 * Where a function's failed work lands, whatever failed: the trigger's delivery (EventBridge rule or
 * Scheduler target) or the function itself after Lambda's asynchronous retries. Every message is the
 * original event, so it can be inspected and put back on the bus. A message here raises an alarm.
 */
export class DeadLetterQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly description: string;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.description = props.description;
    this.queue = new sqs.Queue(this, 'Queue', {
      ...(props.key
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.key, dataKeyReuse: Duration.hours(1) }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      retentionPeriod: props.retention ?? Duration.days(14),
    });
    Validations.of(this.queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This queue is itself a dead-letter queue, the end of its redrive chain; its depth is alarmed.',
    });
  }
}
