import type { PalSynth } from './support/pal-app';
import { cdkJsonContext, synthPal } from './support/pal-app';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

const context = cdkJsonContext();
const configurationSetRef = () => ({ Ref: synth.idOf(synth.stack.email.configurationSet) });

describe('Email', () => {
  test('the configuration set requires TLS, tracks reputation and suppresses bounced and complaining addresses', () => {
    synth.template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'pal-dev',
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  test('the domain identity (from context) signs with 2048-bit DKIM, has its own MAIL FROM and the configuration set', () => {
    synth.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: context.sesDomain,
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      MailFromAttributes: {
        MailFromDomain: `mail.${context.sesDomain as string}`,
        BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      },
      ConfigurationSetAttributes: { ConfigurationSetName: configurationSetRef() },
    });
  });

  test('bounces and complaints go to EventBridge (the default bus, where the ses-feedback rule takes them)', () => {
    synth.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: configurationSetRef(),
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        EventBridgeDestination: {
          EventBusArn: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':events:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':event-bus/default',
              ],
            ],
          },
        },
      },
    });
  });

  test('sending figures go to CloudWatch by configuration set (the dashboard reads them)', () => {
    synth.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: configurationSetRef(),
      EventDestination: {
        MatchingEventTypes: ['send', 'delivery', 'bounce', 'complaint', 'reject', 'deliveryDelay'],
        CloudWatchDestination: {
          DimensionConfigurations: [
            {
              DimensionName: 'ses:configuration-set',
              DimensionValueSource: 'messageTag',
              DefaultDimensionValue: configurationSetRef(),
            },
          ],
        },
      },
    });
  });

  test('replies to the inbound address are scanned, TLS-only, and stored under inbound/ of the reports bucket', () => {
    synth.template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'pal-dev-inbound' });
    synth.template.hasResourceProperties('AWS::SES::ReceiptRule', {
      RuleSetName: { Ref: synth.idOf(synth.stack.email.receiptRuleSet) },
      Rule: {
        Enabled: true,
        Recipients: [context.inboundAddress],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [
          { S3Action: { BucketName: { Ref: synth.idOf(synth.stack.reports.bucket) }, ObjectKeyPrefix: 'inbound/' } },
        ],
      },
    });
    // The rule is created after the bucket policy that lets SES write (SES checks it on creation).
    const rule = synth.resources[synth.idOf(synth.stack.email.receiptRule)]!;
    expect(rule.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ReportsBucketPolicy/)]));
  });

  test('the DNS records to publish and the receipt-rule activation are stack outputs', () => {
    const outputs = Object.keys(synth.template.toJSON().Outputs as object);
    for (const name of ['DkimRecords', 'MailFromRecords', 'InboundMxRecord', 'ActivateReceiptRuleSet']) {
      expect(outputs.some((o) => o.startsWith(`Email${name}`))).toBe(true);
    }
  });
});
