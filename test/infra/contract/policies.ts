import type { Policy, TemplateModel } from './template-model';
import { ACCOUNT } from './template-model';

/**
 * The policies IAM would weigh for a request, read from the template: a role's identity policies,
 * a resource's own policy, and its KMS key.
 */
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export interface NamedPolicy {
  readonly name: string;
  readonly policy: Policy;
}

export function identityPoliciesOf(model: TemplateModel, roleId: string): NamedPolicy[] {
  const attached = (r: { Properties?: Record<string, unknown> }) =>
    list(r.Properties?.Roles as unknown[]).some((role) => (role as { Ref?: string }).Ref === roleId);
  const role = model.must(roleId);
  const managedArns = list(role.Properties?.ManagedPolicyArns as unknown[]);
  if (managedArns.length > 0) {
    throw new Error(`${roleId} has AWS managed policies the contract cannot read: ${JSON.stringify(managedArns)}`);
  }
  return [
    ...[...model.ofType('AWS::IAM::ManagedPolicy'), ...model.ofType('AWS::IAM::Policy')]
      .filter(([, r]) => attached(r))
      .map(([id, r]) => ({ name: id, policy: model.resolve(r.Properties!.PolicyDocument) as Policy })),
    ...list(role.Properties?.Policies as { PolicyName: string; PolicyDocument: unknown }[]).map((p) => ({
      name: `${roleId}/${p.PolicyName}`,
      policy: model.resolve(p.PolicyDocument) as Policy,
    })),
  ];
}

/** The logical id of the resource with this ARN (tables' indexes and objects: their table or bucket). */
export function resourceIdOf(model: TemplateModel, arn: string): string | undefined {
  const base = arn.replace(/(:table\/[^/]+)\/index\/.*$/, '$1').replace(/^(arn:aws:s3:::[^/]+)\/.*$/, '$1');
  for (const id of Object.keys(model.resources)) {
    try {
      if (model.arnOf(id) === base) return id;
    } catch {
      // A type with no ARN here is not a target.
    }
  }
  return undefined;
}

/** The resource's own policy: bucket, queue, topic or secret policy, a key policy, or a function's permissions. */
export function resourcePolicyOf(model: TemplateModel, id: string): Policy | undefined {
  const r = model.must(id);
  const refersTo = (v: unknown) => list(v as unknown[]).some((x) => (x as { Ref?: string }).Ref === id);
  const merged = (type: string, target: (p: Record<string, unknown>) => unknown) => {
    const statements = model
      .ofType(type)
      .filter(([, p]) => refersTo(target(p.Properties ?? {})))
      .flatMap(([, p]) => (model.resolve(p.Properties!.PolicyDocument) as Policy).Statement);
    return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
  };
  switch (r.Type) {
    case 'AWS::S3::Bucket':
      return merged('AWS::S3::BucketPolicy', (p) => p.Bucket);
    case 'AWS::SQS::Queue':
      return merged('AWS::SQS::QueuePolicy', (p) => p.Queues);
    case 'AWS::SNS::Topic':
      return merged('AWS::SNS::TopicPolicy', (p) => p.Topics);
    case 'AWS::SecretsManager::Secret':
      return merged('AWS::SecretsManager::ResourcePolicy', (p) => p.SecretId);
    case 'AWS::KMS::Key':
      return model.resolve(r.Properties!.KeyPolicy) as Policy;
    case 'AWS::Lambda::Function':
      return lambdaPermissions(model, id);
    default:
      return undefined;
  }
}

/** AWS::Lambda::Permission resources as the function policy Lambda builds from them. */
function lambdaPermissions(model: TemplateModel, fnId: string): Policy | undefined {
  const arn = model.arnOf(fnId);
  const statements = model
    .ofType('AWS::Lambda::Permission')
    .filter(([, p]) => model.resolve(p.Properties!.FunctionName) === arn)
    .map(([id, p]) => {
      const props = model.resolve(p.Properties) as Record<string, string>;
      const principal = props.Principal!;
      return {
        Sid: id,
        Effect: 'Allow',
        Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
        Action: props.Action,
        Resource: arn,
        Condition: {
          ...(props.SourceArn && { ArnLike: { 'aws:SourceArn': props.SourceArn } }),
          ...(props.SourceAccount && { StringEquals: { 'aws:SourceAccount': props.SourceAccount } }),
        },
      };
    });
  return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
}

/** The KMS key (logical id) a table, bucket, queue, topic or secret is encrypted with, if a customer managed one. */
export function keyOf(model: TemplateModel, id: string): string | undefined {
  const p = model.must(id).Properties ?? {};
  const ref =
    (p.SSESpecification as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId ??
    (
      p.BucketEncryption as
        | { ServerSideEncryptionConfiguration?: { ServerSideEncryptionByDefault?: { KMSMasterKeyID?: unknown } }[] }
        | undefined
    )?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID ??
    p.KmsMasterKeyId ??
    p.KmsKeyId;
  if (ref === undefined) return undefined;
  const arn = String(model.resolve(ref));
  return model.ofType('AWS::KMS::Key').find(([key]) => model.arnOf(key) === arn || key === arn)?.[0];
}

export const SAME_ACCOUNT = ACCOUNT;
