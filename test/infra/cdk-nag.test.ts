import { App, Stack, Validations, aws_s3 as s3 } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { applyNagChecks, nagPacks } from '../../infra/aws/checks';
import type { PalSynth } from './support/pal-app';
import { synthPal } from './support/pal-app';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

/** Every acknowledged rule in a construct tree: id → reason. */
function acknowledgements(root: IConstruct): { id: string; reason: string; path: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: c.node.path,
        })),
      ),
  );
}

/** The rules acknowledged anywhere, and why (each reason is in the code that acknowledges it). */
const ACKNOWLEDGED_RULES = [
  // Runtime: nodejs22.x by decision (the repo's Node), not the newest nodejs24.x.
  'AwsSolutions-L1',
  'Serverless-LambdaLatestVersion',
  // IAM: "*" where the service takes no ARN (X-Ray, VPC ENIs); object prefixes; route parameters; AWS service roles.
  'AwsSolutions-IAM5',
  'AwsSolutions-IAM4',
  // API functions are invoked synchronously: a DLQ would never receive a message.
  'HIPAA.Security-LambdaDLQ',
  'Serverless-LambdaDLQ',
  // The public links API: tokens in the links, no user accounts.
  'AwsSolutions-APIG4',
  'AwsSolutions-COG4',
  // API stages: no cache of per-request answers; client certificates are for HTTP back ends.
  'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
  'HIPAA.Security-APIGWSSLEnabled',
  // Secrets are not rotated until shared/ accepts the previous version.
  'AwsSolutions-SMG4',
  'HIPAA.Security-SecretsManagerRotationEnabled',
  // Functions that send email run outside the VPC: SES's v1 API is not shown to be served by its endpoint.
  'HIPAA.Security-LambdaInsideVPC',
  // Reserved concurrency off by default: a new account's quota refuses any reservation.
  'HIPAA.Security-LambdaConcurrency',
  // Dead-letter queues are the end of their chain.
  'Serverless-SQSRedrivePolicy',
  'AwsSolutions-SQS3',
  // Buckets: no cross-region copies of PII; the log archive cannot log to itself or use SSE-KMS.
  'HIPAA.Security-S3BucketReplicationEnabled',
  'AwsSolutions-S1',
  'HIPAA.Security-S3BucketLoggingEnabled',
  'HIPAA.Security-S3DefaultEncryptionKMS',
].sort();

describe('cdk-nag: AWS Solutions, HIPAA Security and Serverless', () => {
  test.each(nagPacks(new App()).map((p) => p.readPackName))('%s: no unacknowledged error or warning', (packName) => {
    const pack = nagPacks(synth.app).find((p) => p.readPackName === packName)!;
    const report = pack.validateScope(synth.app);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  test('the template has no dependency cycle', () => {
    expect(() => Template.fromStack(synth.stack)).not.toThrow();
  });

  test('synthesis with the packs registered (as `cdk synth` runs them) succeeds', () => {
    applyNagChecks(synth.app);
    expect(() => synth.app.synth({ force: true })).not.toThrow();
  });

  test('the acknowledged rules are exactly the documented few, each with its reason', () => {
    // (aws-cdk-lib acknowledges some CloudFormation-Validate rules of its own constructs: not ours.)
    const acknowledged = acknowledgements(synth.app).filter((a) =>
      /^(AwsSolutions|HIPAA\.Security|Serverless)-/.test(a.id),
    );
    expect([...new Set(acknowledged.map((a) => a.id.replace(/\[.*\]$/, '')))].sort()).toEqual(ACKNOWLEDGED_RULES);
    for (const a of acknowledged) expect([a.id, a.reason.length >= 60]).toEqual([a.id, true]);
  });

  test('the checks are not vacuous: an unencrypted, unlogged bucket fails them, and synthesis with it', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'Plain', { encryption: s3.BucketEncryption.UNENCRYPTED });
    const rules = nagPacks(app).flatMap((p) => p.validateScope(app).violations.map((v) => v.ruleName));
    expect(rules).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10', 'HIPAA.Security-S3DefaultEncryptionKMS']),
    );
    applyNagChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});
