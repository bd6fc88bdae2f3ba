import { RETURN_PREFIXES } from '../../shared/api/jobs';
import { REPORT_PREFIXES } from '../../infra/aws/constructs/reports-bucket.construct';
import { LogArchive } from '../../infra/aws/constructs/log-archive.construct';
import { reportFileKey } from '../../shared/domain/report';
import type { PalSynth } from './support/pal-app';
import { cdkJsonContext, synthPal } from './support/pal-app';
import { flat, resourcesOfType } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

type Statement = {
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};
const bucketProps = () => synth.resources[synth.idOf(synth.stack.reports.bucket)]!.Properties!;
const policyOf = (bucketId: string): Statement[] => {
  const [[, policy]] = resourcesOfType(synth, 'AWS::S3::BucketPolicy').filter(
    ([, p]) => flat(p.Bucket) === `<${bucketId}>`,
  ) as [[string, { PolicyDocument: { Statement: Statement[] } }]];
  return policy.PolicyDocument.Statement;
};

describe('ReportsBucket', () => {
  test('its prefixes are the handlers’: generated sheets, returned uploads, inbound mail', () => {
    expect(REPORT_PREFIXES.returned).toBe(RETURN_PREFIXES.upload);
    expect(REPORT_PREFIXES.inbound).toBe(RETURN_PREFIXES.email);
    expect(reportFileKey({ id: '2017-11-01_2017-11-15' }, 'org-a').startsWith(REPORT_PREFIXES.generated)).toBe(true);
  });

  test('SSE-KMS with the data key (and a bucket key), no public access, owner-enforced, versioned', () => {
    const p = bucketProps();
    expect(p.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [synth.idOf(synth.stack.encryption.dataKey), 'Arn'] },
          },
        },
      ],
    });
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(p.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(synth.resources[synth.idOf(synth.stack.reports.bucket)]!.DeletionPolicy).toBe('RetainExceptOnCreate');
  });

  test('server access logs go to the log archive', () => {
    expect(bucketProps().LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: synth.idOf(synth.stack.logArchive.bucket) },
      LogFilePrefix: LogArchive.ACCESS_LOGS_PREFIX,
    });
  });

  test('every report file expires after the configured retention; old versions after 30 days', () => {
    const rules = (bucketProps().LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        ExpirationInDays: cdkJsonContext().reportRetentionDays,
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      }),
    ]);
    // No prefix filter: a file anywhere in the bucket expires.
    expect(rules[0]).not.toHaveProperty('Prefix');
  });

  test('its policy refuses anything but TLS 1.2+, and lets SES write only under inbound/ for this account', () => {
    const bucketId = synth.idOf(synth.stack.reports.bucket);
    const statements = policyOf(bucketId);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      }),
    );
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'ses.amazonaws.com' },
      Action: 's3:PutObject',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(flat(allows[0]!.Resource)).toBe(`<${bucketId}.Arn>/inbound/*`);
  });

  test("the data key lets SES's receipt rule encrypt into this bucket only, through S3", () => {
    const key = synth.resources[synth.idOf(synth.stack.encryption.dataKey)]!.Properties!.KeyPolicy as {
      Statement: (Statement & { Sid?: string })[];
    };
    const ses = key.Statement.find((s) => s.Sid === 'SesReceiptRuleStoresInboundMail')!;
    expect(ses).toMatchObject({ Principal: { Service: 'ses.amazonaws.com' }, Action: 'kms:GenerateDataKey' });
    const conditions = (ses.Condition as { StringEquals: Record<string, unknown> }).StringEquals;
    expect(flat(conditions['kms:ViaService'])).toBe('s3.<AWS::Region>.amazonaws.com');
    expect(flat(conditions['kms:EncryptionContext:aws:s3:arn'])).toBe(
      `arn:<AWS::Partition>:s3:::${flat(bucketProps().BucketName)}`,
    );
    // Ends in a part of the stack id: a new name for each stack created (see retained-resources.test.ts).
    expect(flat(bucketProps().BucketName)).toMatch(/^pal-dev-reports-<AWS::Region>-\{"Fn::Select":.*"AWS::StackId"/);
  });
});

describe('LogArchive', () => {
  test('SSE-S3 (what S3 access logging delivers to), private, TLS only, versioned, expiring, retained', () => {
    const id = synth.idOf(synth.stack.logArchive.bucket);
    const p = synth.resources[id]!.Properties!;
    expect(p.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect((p.LifecycleConfiguration as { Rules: { ExpirationInDays: number }[] }).Rules[0]!.ExpirationInDays).toBe(
      cdkJsonContext().accessLogRetentionDays,
    );
    expect(synth.resources[id]!.DeletionPolicy).toBe('Retain');
    const statements = policyOf(id);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    // Only the log delivery services write here.
    const writers = statements
      .filter((s) => s.Effect === 'Allow')
      .map((s) => (s.Principal as { Service: string }).Service)
      .sort();
    expect([...new Set(writers)]).toEqual(['delivery.logs.amazonaws.com', 'logging.s3.amazonaws.com']);
  });
});
