import type { PalSynth } from './support/pal-app';
import { synthPal } from './support/pal-app';
import { flat, resourcesOfType } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

type KeyStatement = {
  Sid?: string;
  Principal: { AWS?: unknown; Service?: unknown };
  Action: string | string[];
  Condition?: unknown;
};
const policyOf = (key: 'dataKey' | 'logsKey' | 'messagingKey') =>
  (synth.resources[synth.idOf(synth.stack.encryption[key])]!.Properties!.KeyPolicy as { Statement: KeyStatement[] })
    .Statement;

describe('Encryption', () => {
  test('three customer managed keys (data, logs, messaging), rotated yearly, retained, aliased per environment', () => {
    const keys = resourcesOfType(synth, 'AWS::KMS::Key');
    expect(keys).toHaveLength(3);
    for (const [id] of keys) {
      expect(synth.resources[id]).toMatchObject({
        Properties: { EnableKeyRotation: true },
        DeletionPolicy: 'RetainExceptOnCreate',
      });
    }
    const aliases = resourcesOfType(synth, 'AWS::KMS::Alias')
      .map(([, p]) => p.AliasName)
      .sort();
    expect(aliases).toEqual(['alias/pal-dev-data', 'alias/pal-dev-logs', 'alias/pal-dev-messaging']);
  });

  test('CloudWatch Logs may use the logs key for this account’s log groups only', () => {
    const logs = policyOf('logsKey').find((s) => s.Sid === 'CloudWatchLogsOfThisAccount')!;
    expect(flat(logs.Principal.Service)).toBe('logs.<AWS::Region>.amazonaws.com');
    expect(
      flat((logs.Condition as { ArnLike: Record<string, unknown> }).ArnLike['kms:EncryptionContext:aws:logs:arn']),
    ).toBe('arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*');
  });

  test('only the services that write queues and topics for this account may use the messaging key', () => {
    const services = policyOf('messagingKey').find((s) => s.Sid === 'ServicesPublishingForThisAccount')!;
    expect(services.Principal.Service).toEqual(['cloudwatch.amazonaws.com', 'sns.amazonaws.com']);
    expect(services.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(services.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
  });

  test('no service principal may use the data key except SES storing inbound mail through S3', () => {
    const withService = policyOf('dataKey').filter((s) => s.Principal.Service !== undefined);
    expect(withService.map((s) => s.Sid)).toEqual(['SesReceiptRuleStoresInboundMail']);
  });

  test('every log group is encrypted with the logs key and expires', () => {
    const logsKey = `<${synth.idOf(synth.stack.encryption.logsKey)}.Arn>`;
    for (const [id, p] of resourcesOfType(synth, 'AWS::Logs::LogGroup')) {
      expect([id, flat(p.KmsKeyId), typeof p.RetentionInDays]).toEqual([id, logsKey, 'number']);
    }
  });
});
