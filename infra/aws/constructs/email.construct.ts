import {
  ArnFormat,
  Aws,
  CfnOutput,
  Fn,
  Stack,
  aws_events as events,
  aws_iam as iam,
  aws_s3 as s3,
  aws_ses as ses,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IConstruct } from 'constructs';
import type { PalFunction } from './pal-function.construct';

export interface EmailProps {
  readonly environment: string;
  /** The domain the senders and the inbound address belong to. */
  readonly domain: string;
  /** Where organizations reply with completed sheets; stored in the bucket for ingest. */
  readonly inboundAddress: string;
  readonly inboundBucket: s3.IBucket;
  /** The inbound prefix of that bucket (the ingest rule watches it). */
  readonly inboundPrefix: string;
}

/** SES feedback events (on the default bus): what the ses-feedback handler takes (shared/domain/mail-feedback.ts). */
export const FEEDBACK_EVENTS = [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT];

/**
 * Email in and out through SES: the domain identity (Easy DKIM, custom MAIL FROM for SPF/DMARC
 * alignment), a configuration set that requires TLS and tracks reputation, bounce and complaint
 * events to EventBridge (SES delivers them to the default bus only; a rule there feeds the
 * ses-feedback handler), sending figures to CloudWatch, and a receipt rule that stores replies to
 * the inbound address in the reports bucket.
 */
export class Email extends Construct {
  public readonly identity: ses.EmailIdentity;
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly receiptRuleSet: ses.ReceiptRuleSet;
  public readonly receiptRule: ses.ReceiptRule;
  /** Dimension of the sending metrics (AWS/SES) the configuration set publishes. */
  public static readonly METRIC_DIMENSION = 'ses:configuration-set';
  private readonly domain: string;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    this.domain = props.domain;

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `pal-${props.environment}`,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });

    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(props.domain),
      configurationSet: this.configurationSet,
      dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
      mailFromDomain: `mail.${props.domain}`,
      mailFromBehaviorOnMxFailure: ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
    });

    const defaultBus = events.EventBus.fromEventBusArn(
      this,
      'DefaultBus',
      Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
    );
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(defaultBus),
      events: FEEDBACK_EVENTS,
    });
    this.configurationSet.addEventDestination('ToCloudWatch', {
      destination: ses.EventDestination.cloudWatchDimensions([
        {
          name: Email.METRIC_DIMENSION,
          source: ses.CloudWatchDimensionSource.MESSAGE_TAG,
          defaultValue: this.configurationSet.configurationSetName,
        },
      ]),
      events: [
        ses.EmailSendingEvent.SEND,
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
        ses.EmailSendingEvent.DELIVERY_DELAY,
      ],
    });

    // Receiving. SES allows one active rule set per account and region, so activating this one is a
    // deliberate step after the first deploy (README "Deploy to AWS"), not something a deploy does.
    const ruleSetName = `pal-${props.environment}-inbound`;
    const ruleName = `pal-${props.environment}-returned-reports`;
    this.receiptRuleSet = new ses.ReceiptRuleSet(this, 'Inbound', { receiptRuleSetName: ruleSetName });
    this.receiptRule = this.receiptRuleSet.addRule('ReturnedReports', {
      receiptRuleName: ruleName,
      recipients: [props.inboundAddress],
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [
        new StoreInBucket(props.inboundBucket, props.inboundPrefix, {
          ruleSetName,
          ruleName,
          stack: Stack.of(this),
        }),
      ],
    });

    const inboundDomain = props.inboundAddress.split('@')[1]!;
    new CfnOutput(this, 'DkimRecords', {
      description: 'Publish these three CNAME records (name -> value) to verify the domain and sign with DKIM',
      value: Fn.join(' ; ', [
        Fn.join(' -> ', [this.identity.dkimDnsTokenName1, this.identity.dkimDnsTokenValue1]),
        Fn.join(' -> ', [this.identity.dkimDnsTokenName2, this.identity.dkimDnsTokenValue2]),
        Fn.join(' -> ', [this.identity.dkimDnsTokenName3, this.identity.dkimDnsTokenValue3]),
      ]),
    });
    new CfnOutput(this, 'MailFromRecords', {
      description: 'Publish for the custom MAIL FROM domain (SPF alignment)',
      value: `mail.${props.domain} MX 10 feedback-smtp.${Aws.REGION}.amazonses.com ; mail.${props.domain} TXT "v=spf1 include:amazonses.com ~all"`,
    });
    new CfnOutput(this, 'InboundMxRecord', {
      description: 'Publish so replies to the inbound address reach SES',
      value: `${inboundDomain} MX 10 inbound-smtp.${Aws.REGION}.amazonaws.com`,
    });
    new CfnOutput(this, 'ActivateReceiptRuleSet', {
      description: 'Run once (replaces the account-wide active receipt rule set in this region)',
      value: `aws ses set-active-receipt-rule-set --rule-set-name ${this.receiptRuleSet.receiptRuleSetName}`,
    });
  }

  /**
   * Passes the configuration set to a function and lets it send through this identity, from the
   * given addresses only, with this configuration set.
   */
  public allowSending(fn: PalFunction, from: readonly string[]): void {
    fn.addEnvironment('SES_CONFIGURATION_SET', this.configurationSet.configurationSetName);
    const stack = Stack.of(this);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.domain }),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': from.length === 1 ? from[0]! : [...from] } },
      }),
    );
  }
}

/**
 * SES's S3 action, with the bucket statement scoped to this receipt rule (aws:SourceArn) as well as
 * this account: CDK's own action (aws_ses_actions.S3) sets aws:SourceAccount only, which lets any
 * receipt rule of the account write into the bucket. SES sends both keys
 * (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-permissions.html). The rule is named,
 * so the ARN needs no reference to it (SES checks the bucket policy when the rule is created, so the
 * rule must depend on the policy, not the other way round).
 */
class StoreInBucket implements ses.IReceiptRuleAction {
  constructor(
    private readonly bucket: s3.IBucket,
    private readonly prefix: string,
    private readonly rule: { ruleSetName: string; ruleName: string; stack: Stack },
  ) {}

  bind(receiptRule: IConstruct): ses.ReceiptRuleActionConfig {
    const sourceArn = this.rule.stack.formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${this.rule.ruleSetName}:receipt-rule/${this.rule.ruleName}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesReceiptRuleStoresInboundMail',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${this.prefix}*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': sourceArn } },
      }),
    );
    const policy = this.bucket.node.tryFindChild('Policy');
    if (!policy) throw new Error('The inbound bucket has no bucket policy to add the SES statement to');
    receiptRule.node.addDependency(policy);
    return { s3Action: { bucketName: this.bucket.bucketName, objectKeyPrefix: this.prefix } };
  }
}
