import {
  ArnFormat,
  Aws,
  Duration,
  Stack,
  Validations,
  aws_apigateway as apigw,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as actions,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.construct';
import { Email } from './email.construct';
import type { PalFunction } from './pal-function.construct';
import type { InboundMailRefusal } from '../../../shared/ports/metrics.port';

/**
 * Log lines of route-referral (shared/use-cases/route-referral.ts) counted as metrics. The messages
 * are constants of the use case; test/infra fails if one is renamed there.
 */
export const ROUTING_LOG_METRICS = {
  UnroutableReferrals: 'Referral unroutable',
  LeadEmailsInDoubt: 'Lead email in doubt: not sent again automatically; check with the organization',
  LeadEmailRefusals: 'Lead email refused; the event will be retried',
} as const;

export interface MonitoringProps {
  readonly environment: string;
  /** Subscribed to the ops topic by email (confirmed once by its owner). */
  readonly opsEmail: string;
  readonly messagingKey: kms.IKey;
  /** Powertools metrics namespace of the functions. */
  readonly metricsNamespace: string;
  readonly functions: readonly PalFunction[];
  /** route-referral: its log lines feed the unroutable and in-doubt metrics. */
  readonly routeReferral: PalFunction;
  readonly intakeApi: apigw.RestApi;
  /** The public links API (report links and lead pages). */
  readonly linksApi: apigw.RestApi;
  /** Name of the SES configuration set (its sending metrics). */
  readonly configurationSetName: string;
  /** SES reputation bounce rate that alarms (SES reviews an account at 5%). @default 0.025 */
  readonly bounceRateThreshold?: number;
  /** SES reputation complaint rate that alarms (SES reviews an account at 0.1%). @default 0.0005 */
  readonly complaintRateThreshold?: number;
}

/**
 * Ops sees trouble here: an encrypted SNS topic (email to ops) that every alarm notifies, in alarm
 * and back to OK; the alarms; and one dashboard of the referral, email and report figures.
 */
export class Monitoring extends Construct {
  public readonly opsTopic: sns.Topic;
  /** Notifications the ops subscription could not deliver. */
  public readonly opsDeadLetters: DeadLetterQueue;
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;
  private readonly props: MonitoringProps;

  /** Every alarm's name starts so: the ops topic lets exactly these publish. */
  private get alarmPrefix(): string {
    return `pal-${this.props.environment}-`;
  }

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    const ns = props.metricsNamespace;

    this.opsTopic = new sns.Topic(this, 'Ops', {
      topicName: `pal-${props.environment}-ops`,
      displayName: 'PAL referrals ops alarms',
      masterKey: props.messagingKey,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy, which replaces SNS's default one: without this statement
    // no alarm could publish. Only this stack's alarms (by name), in this account (confused deputy).
    // The messaging key lets cloudwatch.amazonaws.com use it (Encryption).
    this.opsTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsOfThisStackPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.opsTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${this.alarmPrefix}*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.opsDeadLetters = new DeadLetterQueue(this, 'OpsDeadLetters', {
      key: props.messagingKey,
      description: 'Ops notifications the email subscription could not deliver',
    });
    Validations.of(this.opsDeadLetters.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "It is the dead-letter queue of the ops email subscription (SNS redrive policy), which cdk-nag's check does not follow.",
    });
    this.opsTopic.addSubscription(
      new subscriptions.EmailSubscription(props.opsEmail, { deadLetterQueue: this.opsDeadLetters.queue }),
    );

    // Routing outcomes, counted from route-referral's structured log lines.
    const routingMetric = (name: keyof typeof ROUTING_LOG_METRICS) => {
      new logs.MetricFilter(this, name, {
        logGroup: props.routeReferral.logGroup,
        filterName: name,
        filterPattern: logs.FilterPattern.stringValue('$.message', '=', ROUTING_LOG_METRICS[name]),
        metricNamespace: ns,
        metricName: name,
        metricValue: '1',
        unit: cloudwatch.Unit.COUNT,
      });
      return new cloudwatch.Metric({ namespace: ns, metricName: name, statistic: 'Sum', period: Duration.minutes(5) });
    };
    const unroutable = routingMetric('UnroutableReferrals');
    const inDoubt = routingMetric('LeadEmailsInDoubt');
    const refusals = routingMetric('LeadEmailRefusals');
    const overdue = new cloudwatch.Metric({
      namespace: ns,
      metricName: 'OverdueReports',
      dimensionsMap: { service: 'report-due' },
      statistic: 'Maximum',
      period: Duration.days(1),
    });

    this.alarm('OverdueReports', 'Reports are past due and not complete (report-due, daily)', overdue, 0, {
      // Published once a day: keep the state until the next day's figure.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    const unconfirmed = new cloudwatch.Metric({
      namespace: ns,
      metricName: 'UnconfirmedContacts',
      dimensionsMap: { service: 'contact-confirmations' },
      statistic: 'Maximum',
      period: Duration.days(1),
    });
    this.alarm(
      'UnconfirmedContacts',
      'Lead contacts asked to confirm too long ago and still unconfirmed (daily)',
      unconfirmed,
      0,
      {
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      },
    );
    this.alarm('UnroutableReferrals', 'A referral found no organization to route to', unroutable, 0);
    // mail-intake answers no refused email (its From could be forged), so ops are the only ones told
    // when a lead address's mail fails SES's DMARC/DKIM check: the organization's mail may need DMARC
    // or aligned DKIM (it can use the upload link meanwhile), or someone is forging its address.
    const unauthenticatedMail = new cloudwatch.Metric({
      namespace: ns,
      metricName: 'InboundMailRefused',
      dimensionsMap: { service: 'mail-intake', reason: 'unauthenticated-sender' satisfies InboundMailRefusal },
      statistic: 'Sum',
      period: Duration.hours(1),
    });
    this.alarm(
      'InboundMailUnauthenticated',
      "An email from an organization's lead address failed SES's DMARC/DKIM check and was refused unanswered",
      unauthenticatedMail,
      0,
    );
    this.alarm(
      'LeadEmailsInDoubt',
      'A lead email may or may not have gone out: check with the organization',
      inDoubt,
      0,
    );

    const deadLetterQueues = [
      ...props.functions.flatMap((f) => (f.deadLetterQueue ? [{ name: f.name, dlq: f.deadLetterQueue }] : [])),
      { name: 'ops-notifications', dlq: this.opsDeadLetters },
    ];
    for (const { name, dlq } of deadLetterQueues) {
      this.alarm(
        `DeadLetters-${name}`,
        `${dlq.description}: a message is waiting in the dead-letter queue`,
        dlq.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
        0,
      );
    }
    for (const f of props.functions) {
      const period = Duration.minutes(5);
      this.alarm(`Errors-${f.name}`, `${f.name} failed`, f.function.metricErrors({ period, statistic: 'Sum' }), 0);
      this.alarm(
        `Throttles-${f.name}`,
        `${f.name} was throttled (reserved concurrency reached)`,
        f.function.metricThrottles({ period, statistic: 'Sum' }),
        0,
      );
    }
    // The APIs' handlers turn unexpected errors into 500 answers, which Lambda does not count as errors.
    for (const [name, api] of [
      ['intake', props.intakeApi],
      ['links', props.linksApi],
    ] as const) {
      this.alarm(
        `Api5xx-${name}`,
        `The ${name} API answered 5xx`,
        api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
        0,
      );
    }
    const reputation = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
    const bounceRate = reputation('Reputation.BounceRate');
    const complaintRate = reputation('Reputation.ComplaintRate');
    this.alarm(
      'SesBounceRate',
      'SES bounce rate is high: check the directory contacts',
      bounceRate,
      props.bounceRateThreshold ?? 0.025,
      {
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
    this.alarm(
      'SesComplaintRate',
      'SES complaint rate is high',
      complaintRate,
      props.complaintRateThreshold ?? 0.0005,
      {
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );

    this.dashboard = this.buildDashboard({
      unroutable,
      inDoubt,
      refusals,
      overdue,
      unconfirmed,
      bounceRate,
      complaintRate,
    });
  }

  /** An alarm when the metric goes over the threshold, notifying ops in alarm and when it clears. */
  private alarm(
    name: string,
    description: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    options: Partial<Pick<cloudwatch.AlarmProps, 'treatMissingData' | 'comparisonOperator'>> = {},
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `Alarm-${name}`, {
      alarmName: `${this.alarmPrefix}${name}`,
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const notify = new actions.SnsAction(this.opsTopic);
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
    this.alarms.push(alarm);
    return alarm;
  }

  private buildDashboard(
    m: Record<
      'unroutable' | 'inDoubt' | 'refusals' | 'overdue' | 'unconfirmed' | 'bounceRate' | 'complaintRate',
      cloudwatch.IMetric
    >,
  ) {
    const p = this.props;
    const fn = (name: string) => p.functions.find((f) => f.name === name)!.function;
    const period = Duration.minutes(5);
    const ses = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        dimensionsMap: { [Email.METRIC_DIMENSION]: p.configurationSetName },
        statistic: 'Sum',
        period,
        label: metricName,
      });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6 });

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `pal-${p.environment}`,
      defaultInterval: Duration.days(7),
    });
    dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '# Referrals', width: 24, height: 1 }));
    dashboard.addWidgets(
      graph('Intake API requests and errors', [
        p.intakeApi.metricCount({ period, label: 'requests' }),
        p.intakeApi.metricClientError({ period, label: '4xx' }),
        p.intakeApi.metricServerError({ period, label: '5xx' }),
      ]),
      graph('Routing', [
        fn('route-referral').metricInvocations({ period, label: 'route-referral runs' }),
        fn('route-referral').metricErrors({ period, label: 'route-referral errors' }),
        m.unroutable,
      ]),
      graph('Lead emails in trouble', [m.refusals, m.inDoubt]),
    );
    dashboard.addWidgets(
      graph('Intake API latency (p99)', [p.intakeApi.metricLatency({ period, statistic: 'p99' })]),
      graph('Sweeper', [
        fn('republish-referrals').metricInvocations({ period }),
        fn('republish-referrals').metricErrors({ period }),
      ]),
      graph(
        'Dead letters (messages waiting)',
        p.functions.flatMap((f) =>
          f.deadLetterQueue
            ? [
                f.deadLetterQueue.queue.metricApproximateNumberOfMessagesVisible({
                  period,
                  label: f.name,
                  statistic: 'Maximum',
                }),
              ]
            : [],
        ),
      ),
    );
    dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '# Email', width: 24, height: 1 }));
    dashboard.addWidgets(
      graph('Sent, delivered, bounced, complained', ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject'].map(ses), 12),
      graph('Reputation (account)', [m.bounceRate, m.complaintRate], 12),
    );
    dashboard.addWidgets(
      new cloudwatch.SingleValueWidget({
        title: 'Unconfirmed lead contacts',
        metrics: [m.unconfirmed],
        width: 6,
        height: 6,
      }),
      graph(
        'Bounces and complaints handled',
        [
          fn('ses-feedback').metricInvocations({ period, label: 'ses-feedback runs' }),
          fn('ses-feedback').metricErrors({ period, label: 'ses-feedback errors' }),
        ],
        9,
      ),
      graph(
        'Contact confirmations',
        [
          fn('contact-confirmations').metricInvocations({ period, label: 'daily job runs' }),
          fn('contact-confirm').metricInvocations({ period, label: 'confirmation pages opened' }),
        ],
        9,
      ),
    );
    dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '# Reports', width: 24, height: 1 }));
    dashboard.addWidgets(
      new cloudwatch.SingleValueWidget({ title: 'Overdue reports', metrics: [m.overdue], width: 6, height: 6 }),
      graph(
        'Report jobs',
        ['report-send', 'report-due', 'report-ingest'].flatMap((n) => [
          fn(n).metricInvocations({ period, label: `${n} runs` }),
          fn(n).metricErrors({ period, label: `${n} errors` }),
        ]),
        10,
      ),
      graph('Links in emails (report links, lead pages)', [
        p.linksApi.metricCount({ period, label: 'requests' }),
        p.linksApi.metricClientError({ period, label: '4xx (refused links)' }),
        p.linksApi.metricServerError({ period, label: '5xx' }),
        fn('lead-page').metricInvocations({ period, label: 'lead pages viewed' }),
      ]),
    );
    return dashboard;
  }
}
