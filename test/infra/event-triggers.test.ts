import { ReferralCreated, ReportBuildRequested } from '../../events/catalog';
import { EVENT_SOURCE } from '../../events/envelope';
import type { FunctionName } from '../../infra/functions';
import { FUNCTION_NAMES, specOf } from '../../infra/functions';
import type { PalSynth } from './support/pal-app';
import { cdkJsonContext, synthPal } from './support/pal-app';
import { flat, grantsOfRole, resourcesOfType } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

const fnArn = (name: FunctionName) => `<${synth.idOf(synth.stack.functions.functions[name].function)}.Arn>`;
const dlqArn = (name: FunctionName) =>
  `<${synth.idOf(synth.stack.functions.functions[name].deadLetterQueue!.queue)}.Arn>`;
/** The functions an EventBridge rule starts, from the manifest (infra/functions.ts). */
const RULE_STARTED = FUNCTION_NAMES.filter((n) => !['api', 'schedule'].includes(specOf(n).trigger.kind));
const rules = () => resourcesOfType(synth, 'AWS::Events::Rule').map(([, p]) => p);
const schedule = (name: 'sweep' | 'contactConfirmations' | 'reportSend' | 'reportDue') =>
  synth.resources[synth.idOf(synth.stack.triggers.schedules[name])]!.Properties! as {
    ScheduleExpression: string;
    ScheduleExpressionTimezone?: string;
    FlexibleTimeWindow: unknown;
    GroupName: unknown;
    Target: {
      Arn: unknown;
      RoleArn: unknown;
      Input?: string;
      DeadLetterConfig?: { Arn: unknown };
      RetryPolicy: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
    };
  };

describe('ReferralEventBus', () => {
  test('a custom bus with an archive of every PAL event, kept for the configured days', () => {
    synth.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'pal-dev-referrals' });
    synth.template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [synth.idOf(synth.stack.events.bus), 'Arn'] },
      EventPattern: { source: [EVENT_SOURCE] },
      RetentionDays: cdkJsonContext().eventArchiveRetentionDays,
    });
  });
});

describe('EventTriggers: EventBridge rules', () => {
  test('one rule per event a handler consumes, each with one Lambda target', () => {
    expect(rules()).toHaveLength(5);
    for (const rule of rules()) expect(rule.Targets).toHaveLength(1);
  });

  test('Referral Created on the PAL bus → route-referral', () => {
    const rule = synth.resources[synth.idOf(synth.stack.triggers.rules['route-referral']!)]!.Properties!;
    expect(flat(rule.EventBusName)).toBe(`<${synth.idOf(synth.stack.events.bus)}>`);
    expect(rule.EventPattern).toEqual({ source: [EVENT_SOURCE], 'detail-type': [ReferralCreated.detailType] });
    expect(flat((rule.Targets as { Arn: unknown }[])[0]!.Arn)).toBe(fnArn('route-referral'));
  });

  test('Report Build Requested on the PAL bus → report-build (one invocation per report the job planned)', () => {
    const rule = synth.resources[synth.idOf(synth.stack.triggers.rules['report-build']!)]!.Properties!;
    expect(flat(rule.EventBusName)).toBe(`<${synth.idOf(synth.stack.events.bus)}>`);
    expect(rule.EventPattern).toEqual({ source: [EVENT_SOURCE], 'detail-type': [ReportBuildRequested.detailType] });
    expect(flat((rule.Targets as { Arn: unknown }[])[0]!.Arn)).toBe(fnArn('report-build'));
  });

  test('S3 Object Created under returned/ or received/ of the reports bucket (default bus) → report-ingest', () => {
    const rule = synth.resources[synth.idOf(synth.stack.triggers.rules['report-ingest']!)]!.Properties!;
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [{ Ref: synth.idOf(synth.stack.reports.bucket) }] },
        object: { key: [{ prefix: 'returned/' }, { prefix: 'received/' }] },
      },
    });
    expect(flat((rule.Targets as { Arn: unknown }[])[0]!.Arn)).toBe(fnArn('report-ingest'));
    // Inbound email (SES receiving's inbound/) goes to mail-intake, which unpacks its sheets into received/.
    const mail = synth.resources[synth.idOf(synth.stack.triggers.rules['mail-intake']!)]!.Properties!;
    expect(mail.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [{ Ref: synth.idOf(synth.stack.reports.bucket) }] },
        object: { key: [{ prefix: 'inbound/' }] },
      },
    });
    expect(flat((mail.Targets as { Arn: unknown }[])[0]!.Arn)).toBe(fnArn('mail-intake'));
    // The bucket announces its objects to EventBridge (natively: no notification custom resource).
    const bucket = synth.resources[synth.idOf(synth.stack.reports.bucket)]!.Properties!;
    expect(bucket.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(resourcesOfType(synth, 'Custom::S3BucketNotifications')).toHaveLength(0);
  });

  test('SES bounces and complaints of the PAL configuration set (default bus) → ses-feedback', () => {
    const rule = synth.resources[synth.idOf(synth.stack.triggers.rules['ses-feedback']!)]!.Properties!;
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual({
      source: ['aws.ses'],
      'detail-type': ['Email Bounced', 'Email Complaint Received'],
      detail: {
        mail: { tags: { 'ses:configuration-set': [{ Ref: synth.idOf(synth.stack.email.configurationSet) }] } },
      },
    });
    expect(flat((rule.Targets as { Arn: unknown }[])[0]!.Arn)).toBe(fnArn('ses-feedback'));
  });

  test.each(RULE_STARTED)(
    'the %s target retries for 24 hours (185 attempts), then dead-letters into its queue',
    (name) => {
      const rule = synth.stack.triggers.rules[name]!;
      const [target] = synth.resources[synth.idOf(rule)]!.Properties!.Targets as Record<string, unknown>[];
      expect(target!.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
      expect(flat((target!.DeadLetterConfig as { Arn: unknown }).Arn)).toBe(dlqArn(name));
    },
  );

  test('EventBridge may write to those queues for its rule only (SSE-SQS: no key to use)', () => {
    for (const name of RULE_STARTED) {
      const rule = synth.stack.triggers.rules[name]!;
      const queueRef = `<${synth.idOf(synth.stack.functions.functions[name].deadLetterQueue!.queue)}>`;
      const [[, policy]] = resourcesOfType(synth, 'AWS::SQS::QueuePolicy').filter(([, p]) =>
        (p.Queues as unknown[]).map(flat).includes(queueRef),
      ) as [[string, { PolicyDocument: { Statement: Record<string, unknown>[] } }]];
      const allow = policy.PolicyDocument.Statement.find((s) => s.Effect === 'Allow')!;
      expect(allow).toMatchObject({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' } });
      expect(JSON.stringify(allow.Condition)).toContain(synth.idOf(rule));
    }
  });
});

describe('EventTriggers: Scheduler schedules (America/Chicago)', () => {
  test.each([
    ['sweep', 'rate(5 minutes)', 'republish-referrals', 3, 240],
    ['contactConfirmations', 'cron(30 6 * * ? *)', 'contact-confirmations', 20, 6 * 3600],
    ['reportSend', 'cron(0 7 * * ? *)', 'report-send', 20, 6 * 3600],
    ['reportDue', 'cron(15 7 * * ? *)', 'report-due', 20, 6 * 3600],
  ] as const)(
    '%s: %s in America/Chicago → %s, retried %d times within %ds, then dead-lettered',
    (key, expression, fn, retries, maxAge) => {
      const s = schedule(key);
      expect(s.ScheduleExpression).toBe(expression);
      expect(s.ScheduleExpressionTimezone).toBe('America/Chicago');
      expect(s.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      // In the PAL group, created after it (the group is named, not referenced).
      expect(s.GroupName).toBe('pal-dev');
      expect(synth.resources[synth.idOf(synth.stack.triggers.schedules[key])]!.DependsOn).toContain(
        synth.idOf(synth.stack.triggers.scheduleGroup),
      );
      expect(flat(s.Target.Arn)).toBe(fnArn(fn));
      expect(JSON.parse(s.Target.Input!)).toEqual({});
      expect(s.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: retries, MaximumEventAgeInSeconds: maxAge });
      expect(flat(s.Target.DeadLetterConfig!.Arn)).toBe(dlqArn(fn));
    },
  );

  test('the daily jobs never retry into the next Minnesota day (07:15 + 6 h)', () => {
    for (const key of ['contactConfirmations', 'reportSend', 'reportDue'] as const) {
      expect(7 * 3600 + 15 * 60 + schedule(key).Target.RetryPolicy.MaximumEventAgeInSeconds).toBeLessThan(24 * 3600);
    }
  });

  test.each([
    ['sweep', 'republish-referrals'],
    ['contactConfirmations', 'contact-confirmations'],
    ['reportSend', 'report-send'],
    ['reportDue', 'report-due'],
  ] as const)("%s: Scheduler's role invokes %s only and writes its dead letters", (key, fn) => {
    const roleId = flat(schedule(key).Target.RoleArn).replace(/^<(.+)\.Arn>$/, '$1');
    expect(grantsOfRole(synth, roleId)).toEqual(
      [`lambda:InvokeFunction on ${fnArn(fn)}`, `sqs:SendMessage on ${dlqArn(fn)}`].sort(),
    );
    const trust = synth.resources[roleId]!.Properties!.AssumeRolePolicyDocument as {
      Statement: Record<string, unknown>[];
    };
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
  });
});

describe('dead-letter queues', () => {
  test('every asynchronous function has one, encrypted by SQS (SSE-SQS), TLS only, kept 14 days', () => {
    const queues = Object.values(synth.stack.functions.functions).flatMap((f) => (f.deadLetterQueue ? [f] : []));
    expect(queues.map((f) => f.name).sort()).toEqual(
      [
        'contact-confirmations',
        'mail-intake',
        'report-build',
        'report-due',
        'report-ingest',
        'report-send',
        'republish-referrals',
        'route-referral',
        'ses-feedback',
      ].sort(),
    );
    for (const f of queues) {
      const queue = synth.resources[synth.idOf(f.deadLetterQueue!.queue)]!.Properties!;
      expect({ sse: queue.SqsManagedSseEnabled, key: queue.KmsMasterKeyId }).toEqual({ sse: true, key: undefined });
      expect(queue.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      const [[, policy]] = resourcesOfType(synth, 'AWS::SQS::QueuePolicy').filter(([, p]) =>
        (p.Queues as unknown[]).map(flat).includes(`<${synth.idOf(f.deadLetterQueue!.queue)}>`),
      ) as [[string, { PolicyDocument: { Statement: Record<string, unknown>[] } }]];
      expect(policy.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});
