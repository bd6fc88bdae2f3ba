import type { AccessRequest } from './evaluate';
import { identityPoliciesOf, keyOf, resourceIdOf, resourcePolicyOf } from './policies';
import type { RecordedCall } from './recorder';
import type { TemplateModel } from './template-model';
import { ACCOUNT, REGION } from './template-model';

/** A deployed function as the template makes it: its role and the environment it is given. */
export interface DeployedFunction {
  readonly name: string;
  readonly id: string;
  readonly roleId: string;
  readonly roleArn: string;
  readonly env: Record<string, string>;
  readonly deadLetterQueueArn?: string;
}

export function deployedFunction(model: TemplateModel, name: string, id: string): DeployedFunction {
  const props = model.must(id).Properties ?? {};
  const roleId = String((props.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
  const env = model.resolve((props.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}) as Record<
    string,
    string
  >;
  const dlq = (props.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn;
  return {
    name,
    id,
    roleId,
    roleArn: model.arnOf(roleId),
    env,
    ...(dlq !== undefined && { deadLetterQueueArn: String(model.resolve(dlq)) }),
  };
}

/** Every request on TLS, in this account: what the enforce-SSL denies and same-account logic read. */
const BASE_CONTEXT = { 'aws:SecureTransport': 'true', 'aws:PrincipalAccount': ACCOUNT };

/**
 * The requests IAM will see for one recorded call on AWS: the call itself, on the resource the
 * template gives the function under the same variable as the local stack did, and the KMS calls
 * the service makes with the caller's permissions (SSE-KMS tables, bucket, secrets).
 */
export function requestsOf(
  model: TemplateModel,
  fn: DeployedFunction,
  call: RecordedCall,
  localEnv: Record<string, string>,
): AccessRequest[] | string {
  const variable = (localValue: string) => {
    const names = Object.keys(localEnv).filter((k) => localEnv[k] === localValue);
    const name = names.find((n) => fn.env[n] !== undefined);
    if (!name) {
      return `${fn.name}: ${call.operation} names ${localValue} (${names.join(' or ') || 'no variable'} locally), which the template does not pass to ${fn.name}`;
    }
    return { name, value: fn.env[name]! };
  };
  const identityPolicies = identityPoliciesOf(model, fn.roleId);
  const request = (action: string, resource: string, context: Record<string, string | string[]>, because: string) => {
    const id = resourceIdOf(model, resource);
    const policy = id ? resourcePolicyOf(model, id) : undefined;
    return {
      who: fn.name,
      principal: fn.roleArn,
      action,
      resource,
      context: { ...BASE_CONTEXT, ...context },
      identityPolicies,
      resourcePolicy: id && policy ? { id, policy } : undefined,
      because,
    };
  };
  /** The KMS call a service makes for the caller on a resource encrypted with a customer managed key. */
  const keyUse = (resourceId: string, action: string, service: string, context: Record<string, string>) => {
    const key = keyOf(model, resourceId);
    if (!key) return [];
    return [
      request(
        action,
        model.arnOf(key),
        { 'kms:ViaService': `${service}.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT, ...context },
        `${service} uses ${resourceId}'s key for ${call.operation}`,
      ),
    ];
  };

  const t = call.target;
  switch (t.kind) {
    case 'table': {
      const v = variable(t.table);
      if (typeof v === 'string') return v;
      const id = model.ofType('AWS::DynamoDB::Table').find(([tid]) => model.nameOf(tid) === v.value)?.[0];
      if (!id) return `${fn.name}: ${v.name}=${v.value} is no table of the template`;
      const arn = model.arnOf(id) + (t.index ? `/index/${t.index}` : '');
      // DynamoDB decrypts the table key with the caller's permissions on every item call.
      return [
        request(call.action, arn, call.context, call.operation),
        ...keyUse(id, 'kms:Decrypt', 'dynamodb', {
          'kms:EncryptionContext:aws:dynamodb:tableName': v.value,
          'kms:EncryptionContext:aws:dynamodb:subscriberId': ACCOUNT,
        }),
      ];
    }
    case 'object': {
      const v = variable(t.bucket);
      if (typeof v === 'string') return v;
      const id = model.ofType('AWS::S3::Bucket').find(([bid]) => model.nameOf(bid) === v.value)?.[0];
      if (!id) return `${fn.name}: ${v.name}=${v.value} is no bucket of the template`;
      const bucketArn = model.arnOf(id);
      // SSE-KMS with an S3 bucket key: the encryption context is the bucket's ARN.
      const keyAction = call.action === 's3:GetObject' ? 'kms:Decrypt' : 'kms:GenerateDataKey';
      return [
        request(call.action, `${bucketArn}/${t.key}`, call.context, call.operation),
        ...keyUse(id, keyAction, 's3', { 'kms:EncryptionContext:aws:s3:arn': bucketArn }),
      ];
    }
    case 'bus': {
      const v = variable(t.bus);
      if (typeof v === 'string') return v;
      return [
        request(call.action, `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${v.value}`, call.context, call.operation),
      ];
    }
    case 'ses': {
      const from = variable(t.from);
      if (typeof from === 'string') return from;
      const [identity] = model.ofType('AWS::SES::EmailIdentity');
      if (!identity) return `${fn.name}: sends email, but the template has no SES identity`;
      const domain = String(model.resolve(identity[1].Properties?.EmailIdentity));
      const sender = from.value;
      if (!sender.endsWith(`@${domain}`) && !sender.endsWith(`.${domain}`)) {
        return `${fn.name}: sends from ${sender}, which is not in the SES identity's domain ${domain}`;
      }
      const context = { ...call.context, 'ses:FromAddress': sender };
      const requests = [
        request(call.action, `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${domain}`, context, call.operation),
      ];
      if (t.configurationSet) {
        const set = variable(t.configurationSet);
        if (typeof set === 'string') return set;
        requests.push(
          request(
            call.action,
            `arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/${set.value}`,
            context,
            call.operation,
          ),
        );
      }
      return requests;
    }
    case 'secret': {
      const id = resourceIdOf(model, t.secretId);
      if (!id) return `${fn.name}: reads secret ${t.secretId}, which is no secret of the template`;
      return [
        request(call.action, t.secretId, call.context, call.operation),
        ...keyUse(id, 'kms:Decrypt', 'secretsmanager', { 'kms:EncryptionContext:SecretARN': t.secretId }),
      ];
    }
  }
}

/**
 * Calls every function makes on AWS that no handler code makes: reading each secret it is given at
 * cold start (shared/adapters/secrets.ts reads `<NAME>_ARN` when `<NAME>` is not set, which on AWS
 * it never is), and Lambda's writes with the function's role: logs, and the dead-letter queue of
 * an asynchronous function.
 */
export function runtimeCallsOf(model: TemplateModel, fn: DeployedFunction): (RecordedCall | AccessRequest)[] {
  const calls: (RecordedCall | AccessRequest)[] = [];
  for (const [name, arn] of Object.entries(fn.env).filter(([k]) => k.endsWith('_SECRET_ARN'))) {
    calls.push({
      fn: fn.name,
      operation: `SecretsManager.GetSecretValue (${name}, at cold start)`,
      action: 'secretsmanager:GetSecretValue',
      target: { kind: 'secret', secretId: arn },
      context: {},
    });
  }
  const identityPolicies = identityPoliciesOf(model, fn.roleId);
  const logGroup = model.must(fn.id).Properties?.LoggingConfig as { LogGroup?: unknown } | undefined;
  if (logGroup?.LogGroup !== undefined) {
    const name = String(model.resolve(logGroup.LogGroup));
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      calls.push({
        who: fn.name,
        principal: fn.roleArn,
        action,
        resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:log-stream:2017/11/22/[$LATEST]0123456789abcdef`,
        context: BASE_CONTEXT,
        identityPolicies,
        because: 'Lambda writes the function log with its role',
      });
    }
  }
  if (fn.deadLetterQueueArn) {
    const queueId = resourceIdOf(model, fn.deadLetterQueueArn)!;
    const queuePolicy = resourcePolicyOf(model, queueId);
    calls.push({
      who: fn.name,
      principal: fn.roleArn,
      action: 'sqs:SendMessage',
      resource: fn.deadLetterQueueArn,
      context: BASE_CONTEXT,
      identityPolicies,
      resourcePolicy: queuePolicy && { id: queueId, policy: queuePolicy },
      because: 'Lambda dead-letters a failed asynchronous event with the function role',
    });
    const key = keyOf(model, queueId);
    if (key) {
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        calls.push({
          who: fn.name,
          principal: fn.roleArn,
          action,
          resource: model.arnOf(key),
          context: {
            ...BASE_CONTEXT,
            'kms:ViaService': `sqs.${REGION}.amazonaws.com`,
            'kms:EncryptionContext:aws:sqs:arn': fn.deadLetterQueueArn,
          },
          identityPolicies,
          resourcePolicy: { id: key, policy: resourcePolicyOf(model, key)! },
          because: `SQS encrypts the dead letter with ${key} for the function`,
        });
      }
    }
  }
  return calls;
}
