import type { AccessRequest } from './evaluate';
import { identityPoliciesOf, keyOf, resourceIdOf, resourcePolicyOf } from './policies';
import type { Policy } from './template-model';
import { ACCOUNT, REGION, TemplateModel } from './template-model';

/**
 * What AWS services do on the stack's behalf, which no function call covers, as IAM sees each
 * request. The context keys are those AWS documents each service sending:
 * - CloudWatch → SNS and its KMS key: aws:SourceArn (the alarm) and aws:SourceAccount
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions.html,
 *   https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services);
 * - EventBridge → SQS dead-letter queue: aws:SourceArn (the rule)
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html); its KMS request
 *   for SQS carries no aws:Source* key (same SNS/SQS page: the KMS policy for EventBridge takes no
 *   confused-deputy condition);
 * - SES receiving → S3: aws:SourceArn (the receipt rule) and aws:SourceAccount
 *   (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-permissions.html);
 * - Scheduler assumes its role with aws:SourceArn (the schedule) and aws:SourceAccount
 *   (https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role),
 *   then invokes and dead-letters with that role;
 * - API Gateway and EventBridge invoke Lambda with aws:SourceArn (method or rule).
 */
export function servicePathRequests(model: TemplateModel): AccessRequest[] {
  return [
    ...alarmsToTopics(model),
    ...rulesToTargets(model),
    ...receiptRulesToBucket(model),
    ...schedulesToTargets(model),
    ...apiMethodsToFunctions(model),
  ];
}

const TLS = { 'aws:SecureTransport': 'true' };

function service(
  model: TemplateModel,
  principal: string,
  who: string,
  action: string,
  resource: string,
  context: Record<string, string>,
  because: string,
): AccessRequest {
  const id = resourceIdOf(model, resource);
  const policy = id ? resourcePolicyOf(model, id) : undefined;
  return {
    who,
    principal,
    action,
    resource,
    context: { ...TLS, ...context },
    identityPolicies: [],
    resourcePolicy: id && policy ? { id, policy } : undefined,
    because,
  };
}

/** The KMS requests a service makes for a write into an encrypted queue or topic. */
function keyRequests(
  model: TemplateModel,
  targetId: string,
  principal: string,
  who: string,
  actions: string[],
  context: Record<string, string>,
): AccessRequest[] {
  const key = keyOf(model, targetId);
  if (!key) return [];
  return actions.map((action) =>
    service(model, principal, who, action, model.arnOf(key), context, `${targetId} is encrypted with ${key}`),
  );
}

function alarmsToTopics(model: TemplateModel): AccessRequest[] {
  return model.ofType('AWS::CloudWatch::Alarm').flatMap(([id, alarm]) => {
    const arn = model.arnOf(id);
    const actions = [
      ...((alarm.Properties?.AlarmActions as unknown[]) ?? []),
      ...((alarm.Properties?.OKActions as unknown[]) ?? []),
    ];
    const topics = [...new Set(actions.map((a) => String(model.resolve(a))))];
    const context = { 'aws:SourceArn': arn, 'aws:SourceAccount': ACCOUNT };
    return topics.flatMap((topic) => {
      const topicId = resourceIdOf(model, topic)!;
      const who = `cloudwatch.amazonaws.com for alarm ${model.resolve(alarm.Properties?.AlarmName)}`;
      return [
        service(model, 'cloudwatch.amazonaws.com', who, 'sns:Publish', topic, context, 'the alarm notifies ops'),
        ...keyRequests(
          model,
          topicId,
          'cloudwatch.amazonaws.com',
          who,
          ['kms:GenerateDataKey', 'kms:Decrypt'],
          context,
        ),
      ];
    });
  });
}

function rulesToTargets(model: TemplateModel): AccessRequest[] {
  return model.ofType('AWS::Events::Rule').flatMap(([id, rule]) => {
    const arn = model.arnOf(id);
    const who = `events.amazonaws.com for rule ${model.nameOf(id)}`;
    const targets = (rule.Properties?.Targets as { Arn: unknown; DeadLetterConfig?: { Arn: unknown } }[]) ?? [];
    return targets.flatMap((target) => {
      const requests = [
        service(
          model,
          'events.amazonaws.com',
          who,
          'lambda:InvokeFunction',
          String(model.resolve(target.Arn)),
          {
            'aws:SourceArn': arn,
            'aws:SourceAccount': ACCOUNT,
          },
          'the rule delivers its events',
        ),
      ];
      if (target.DeadLetterConfig) {
        const queue = String(model.resolve(target.DeadLetterConfig.Arn));
        const queueId = resourceIdOf(model, queue)!;
        requests.push(
          service(
            model,
            'events.amazonaws.com',
            who,
            'sqs:SendMessage',
            queue,
            { 'aws:SourceArn': arn },
            'an event it could not deliver',
          ),
          ...keyRequests(model, queueId, 'events.amazonaws.com', who, ['kms:GenerateDataKey', 'kms:Decrypt'], {
            'kms:ViaService': `sqs.${REGION}.amazonaws.com`,
            'kms:EncryptionContext:aws:sqs:arn': queue,
          }),
        );
      }
      return requests;
    });
  });
}

function receiptRulesToBucket(model: TemplateModel): AccessRequest[] {
  return model.ofType('AWS::SES::ReceiptRule').flatMap(([id, rule]) => {
    const props = model.resolve(rule.Properties) as {
      RuleSetName: string;
      Rule: { Actions: { S3Action?: { BucketName: string; ObjectKeyPrefix?: string } }[] };
    };
    const ruleArn = `arn:aws:ses:${REGION}:${ACCOUNT}:receipt-rule-set/${props.RuleSetName}:receipt-rule/${model.nameOf(id)}`;
    const who = `ses.amazonaws.com for receipt rule ${model.nameOf(id)}`;
    const context = { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': ACCOUNT };
    return props.Rule.Actions.flatMap(({ S3Action: s3 }) => {
      if (!s3) return [];
      const bucketArn = `arn:aws:s3:::${s3.BucketName}`;
      const bucketId = resourceIdOf(model, bucketArn)!;
      return [
        service(
          model,
          'ses.amazonaws.com',
          who,
          's3:PutObject',
          `${bucketArn}/${s3.ObjectKeyPrefix ?? ''}0123456789abcdef`,
          context,
          'SES stores an inbound email',
        ),
        ...keyRequests(model, bucketId, 'ses.amazonaws.com', who, ['kms:GenerateDataKey'], {
          ...context,
          'kms:ViaService': `s3.${REGION}.amazonaws.com`,
          'kms:EncryptionContext:aws:s3:arn': bucketArn,
        }),
      ];
    });
  });
}

function schedulesToTargets(model: TemplateModel): AccessRequest[] {
  return model.ofType('AWS::Scheduler::Schedule').flatMap(([id, schedule]) => {
    const target = model.resolve(schedule.Properties?.Target) as {
      Arn: string;
      RoleArn: string;
      DeadLetterConfig?: { Arn: string };
    };
    const roleId = resourceIdOf(model, target.RoleArn)!;
    const scheduleArn = model.arnOf(id);
    const who = `scheduler.amazonaws.com for schedule ${model.nameOf(id)}`;
    const role = model.must(roleId);
    const trust = model.resolve(role.Properties?.AssumeRolePolicyDocument) as Policy;
    const asRole = (
      action: string,
      resource: string,
      context: Record<string, string>,
      because: string,
    ): AccessRequest => {
      const rid = resourceIdOf(model, resource);
      const policy = rid ? resourcePolicyOf(model, rid) : undefined;
      return {
        who: `${who} (as ${roleId})`,
        principal: model.arnOf(roleId),
        action,
        resource,
        context: { ...TLS, ...context },
        identityPolicies: identityPoliciesOf(model, roleId),
        resourcePolicy: rid && policy ? { id: rid, policy } : undefined,
        because,
      };
    };
    const requests: AccessRequest[] = [
      {
        who,
        principal: 'scheduler.amazonaws.com',
        action: 'sts:AssumeRole',
        resource: model.arnOf(roleId),
        context: { ...TLS, 'aws:SourceArn': scheduleArn, 'aws:SourceAccount': ACCOUNT },
        identityPolicies: [],
        resourcePolicy: { id: `${roleId} trust policy`, policy: trust },
        because: 'Scheduler assumes the schedule role',
      },
      asRole('lambda:InvokeFunction', target.Arn, {}, 'the schedule invokes its function'),
    ];
    if (target.DeadLetterConfig) {
      const queue = target.DeadLetterConfig.Arn;
      const key = keyOf(model, resourceIdOf(model, queue)!);
      requests.push(asRole('sqs:SendMessage', queue, {}, 'a run it could not deliver'));
      if (key) {
        for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
          requests.push(
            asRole(
              action,
              model.arnOf(key),
              {
                'kms:ViaService': `sqs.${REGION}.amazonaws.com`,
                'kms:EncryptionContext:aws:sqs:arn': queue,
              },
              `SQS encrypts the dead letter with ${key}`,
            ),
          );
        }
      }
    }
    return requests;
  });
}

function apiMethodsToFunctions(model: TemplateModel): AccessRequest[] {
  const pathOf = (resourceId: unknown): string => {
    const id = TemplateModel.targetOf(resourceId);
    const r = id ? model.resources[id] : undefined;
    if (!r || r.Type !== 'AWS::ApiGateway::Resource') return '';
    return `${pathOf(r.Properties?.ParentId)}/${String(r.Properties?.PathPart)}`;
  };
  return model.ofType('AWS::ApiGateway::Method').flatMap(([id, method]) => {
    const p = method.Properties ?? {};
    const uri = String(model.resolve((p.Integration as { Uri?: unknown } | undefined)?.Uri ?? ''));
    const fn = /functions\/(arn:[^/]+)\/invocations/.exec(uri)?.[1];
    if (!fn) return [];
    const apiId = TemplateModel.targetOf(p.RestApiId)!;
    const stage = model
      .ofType('AWS::ApiGateway::Stage')
      .find(([, s]) => TemplateModel.targetOf(s.Properties?.RestApiId) === apiId)?.[1];
    const stageName = String(model.resolve(stage?.Properties?.StageName ?? 'prod'));
    const path = pathOf(p.ResourceId) || '/';
    const sourceArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/${stageName}/${String(p.HttpMethod)}${path}`;
    return [
      service(
        model,
        'apigateway.amazonaws.com',
        `apigateway.amazonaws.com for ${String(p.HttpMethod)} ${path} (${id})`,
        'lambda:InvokeFunction',
        fn,
        {
          'aws:SourceArn': sourceArn,
          'aws:SourceAccount': ACCOUNT,
        },
        'the API calls its function',
      ),
    ];
  });
}

/** S3 → EventBridge needs no permission (S3 sends to the default bus itself) but must be switched on. */
export function bucketsAnnouncingObjects(model: TemplateModel): string[] {
  return model
    .ofType('AWS::S3::Bucket')
    .filter(([, b]) => {
      const n = b.Properties?.NotificationConfiguration as
        { EventBridgeConfiguration?: { EventBridgeEnabled?: boolean } } | undefined;
      return n?.EventBridgeConfiguration?.EventBridgeEnabled === true;
    })
    .map(([id]) => model.nameOf(id));
}
