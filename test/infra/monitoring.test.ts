import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/aws/config';
import { ROUTING_LOG_METRICS } from '../../infra/aws/constructs/monitoring.construct';
import type { FunctionName } from '../../infra/functions';
import { FUNCTION_NAMES, invocationOf } from '../../infra/functions';
import type { PalSynth } from './support/pal-app';
import { cdkJsonContext, synthPal } from './support/pal-app';
import { flat, resourcesOfType } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

type Alarm = Record<string, unknown> & { AlarmName: string; Threshold: number; ComparisonOperator: string };
const alarms = () => resourcesOfType(synth, 'AWS::CloudWatch::Alarm').map(([, p]) => p as Alarm);
const alarm = (name: string) => {
  const found = alarms().find((a) => a.AlarmName === `pal-dev-${name}`);
  if (!found) throw new Error(`no alarm pal-dev-${name}`);
  return found;
};
/** The functions with a dead-letter queue: every one not invoked by API Gateway (infra/functions.ts). */
const ASYNC = FUNCTION_NAMES.filter((name) => invocationOf(name) === 'async');

describe('Monitoring', () => {
  test('an encrypted ops topic (TLS publishers only) with the ops email subscribed, its failures dead-lettered', () => {
    const topicId = synth.idOf(synth.stack.monitoring.opsTopic);
    expect(flat(synth.resources[topicId]!.Properties!.KmsMasterKeyId)).toBe(
      `<${synth.idOf(synth.stack.encryption.messagingKey)}.Arn>`,
    );
    synth.template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { Ref: topicId },
      Protocol: 'email',
      Endpoint: cdkJsonContext().opsEmail,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [synth.idOf(synth.stack.monitoring.opsDeadLetters.queue), 'Arn'] },
      },
    });
  });

  test("ops hear of a lead address whose reply failed SES's sender check (no one else is told)", () => {
    expect(alarm('InboundMailUnauthenticated')).toMatchObject({
      Namespace: 'PalReferrals',
      MetricName: 'InboundMailRefused',
      Dimensions: expect.arrayContaining([
        { Name: 'service', Value: 'mail-intake' },
        { Name: 'reason', Value: 'unauthenticated-sender' },
      ]),
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('every alarm notifies ops when it fires and when it clears', () => {
    const topic = { Ref: synth.idOf(synth.stack.monitoring.opsTopic) };
    expect(alarms().length).toBeGreaterThan(0);
    for (const a of alarms()) {
      expect([a.AlarmName, a.AlarmActions, a.OKActions]).toEqual([a.AlarmName, [topic], [topic]]);
    }
  });

  test('OverdueReports > 0 (the daily EMF figure of report-due, kept until the next day)', () => {
    expect(alarm('OverdueReports')).toMatchObject({
      Namespace: 'PalReferrals',
      MetricName: 'OverdueReports',
      Dimensions: [{ Name: 'service', Value: 'report-due' }],
      Statistic: 'Maximum',
      Period: 86400,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'ignore',
    });
  });

  test('UnconfirmedContacts > 0 (the daily EMF figure of contact-confirmations)', () => {
    expect(alarm('UnconfirmedContacts')).toMatchObject({
      Namespace: 'PalReferrals',
      MetricName: 'UnconfirmedContacts',
      Dimensions: [{ Name: 'service', Value: 'contact-confirmations' }],
      Period: 86400,
      Threshold: 0,
      TreatMissingData: 'ignore',
    });
  });

  test.each(Object.entries(ROUTING_LOG_METRICS))(
    '%s > 0, counted from route-referral’s "%s" log lines',
    (metric, message) => {
      synth.template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: synth.idOf(synth.stack.functions.functions['route-referral'].logGroup) },
        FilterPattern: `{ $.message = "${message}" }`,
        MetricTransformations: [{ MetricNamespace: 'PalReferrals', MetricName: metric, MetricValue: '1' }],
      });
      if (metric !== 'LeadEmailRefusals') {
        expect(alarm(metric)).toMatchObject({ MetricName: metric, Statistic: 'Sum', Period: 300, Threshold: 0 });
      }
    },
  );

  test('the counted log lines are still what route-referral writes (renaming one there breaks the alarm)', () => {
    const useCase = readFileSync(join(REPO_ROOT, 'shared', 'use-cases', 'route-referral.ts'), 'utf8');
    for (const message of Object.values(ROUTING_LOG_METRICS)) expect(useCase).toContain(`'${message}'`);
  });

  test.each([...ASYNC, 'ops-notifications'])('any message in the %s dead-letter queue', (name) => {
    const queue =
      name === 'ops-notifications'
        ? synth.stack.monitoring.opsDeadLetters.queue
        : synth.stack.functions.functions[name as FunctionName].deadLetterQueue!.queue;
    expect(alarm(`DeadLetters-${name}`)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [synth.idOf(queue), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('there is no dead-letter queue without an alarm', () => {
    const queues = resourcesOfType(synth, 'AWS::SQS::Queue').map(([id]) => id);
    const alarmed = alarms()
      .filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')
      .map((a) => (a.Dimensions as { Value: { 'Fn::GetAtt': string[] } }[])[0]!.Value['Fn::GetAtt'][0]);
    expect(alarmed.sort()).toEqual(queues.sort());
  });

  test.each([...FUNCTION_NAMES])('%s: errors > 0 and throttles > 0 in 5 minutes', (name) => {
    const fn = { Ref: synth.idOf(synth.stack.functions.functions[name].function) };
    for (const [kind, metric] of [
      ['Errors', 'Errors'],
      ['Throttles', 'Throttles'],
    ]) {
      expect(alarm(`${kind}-${name}`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
      });
    }
  });

  test('5xx answers of either API (the handlers turn crashes into 500s, which Lambda does not count)', () => {
    expect(alarm('Api5xx-intake')).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Threshold: 0 });
    expect(alarm('Api5xx-links')).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Threshold: 0 });
  });

  test('SES bounce rate ≥ 2.5% and complaint rate ≥ 0.05% (half the rates at which SES reviews the account)', () => {
    expect(alarm('SesBounceRate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.025,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm('SesComplaintRate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.0005,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('exactly these alarms, and no more', () => {
    const expected = [
      'OverdueReports',
      'UnconfirmedContacts',
      'UnroutableReferrals',
      'LeadEmailsInDoubt',
      'InboundMailUnauthenticated',
      ...[...ASYNC, 'ops-notifications'].map((n) => `DeadLetters-${n}`),
      ...FUNCTION_NAMES.flatMap((n) => [`Errors-${n}`, `Throttles-${n}`]),
      'Api5xx-intake',
      'Api5xx-links',
      'SesBounceRate',
      'SesComplaintRate',
    ].map((n) => `pal-dev-${n}`);
    expect(
      alarms()
        .map((a) => a.AlarmName)
        .sort(),
    ).toEqual(expected.sort());
  });

  test('one dashboard with the referral, email and report figures', () => {
    const [[, dashboard]] = resourcesOfType(synth, 'AWS::CloudWatch::Dashboard') as [
      [string, { DashboardBody: unknown }],
    ];
    const body = flat(dashboard.DashboardBody);
    for (const text of [
      '# Referrals',
      'UnroutableReferrals',
      '# Email',
      'Reputation.BounceRate',
      '"AWS/SES","Delivery"',
      '# Reports',
      'OverdueReports',
      'lead pages viewed',
      'UnconfirmedContacts',
    ]) {
      expect([text, body.includes(text)]).toEqual([text, true]);
    }
  });
});
