import {
  Aws,
  Duration,
  Stack,
  TimeZone,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_s3 as s3,
  aws_scheduler as scheduler,
  aws_scheduler_targets as schedulerTargets,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EVENT_SOURCE, ReferralCreated, ReportBuildRequested } from '../../../events/catalog';
import { SES_FEEDBACK_DETAIL_TYPES, SES_SOURCE } from '../../../shared/domain/mail-feedback';
import { ManagedPolicyRole } from './managed-policy-role';
import { kebab, pascal } from './names';
import type { PalFunction } from './pal-function.construct';
import { KEPT } from './retention';

/** The program's time zone: daily jobs keep their Minnesota wall-clock time across daylight saving. */
export const PROGRAM_TIME_ZONE = TimeZone.AMERICA_CHICAGO;

/** When the jobs run (EventBridge Scheduler expressions, evaluated in America/Chicago). */
export const SCHEDULES = {
  sweep: 'rate(5 minutes)',
  contactConfirmations: 'cron(30 6 * * ? *)',
  reportSend: 'cron(0 7 * * ? *)',
  reportDue: 'cron(15 7 * * ? *)',
} as const;

/** EventBridge delivery to a function: as long as EventBridge allows (185 attempts over 24 hours). */
export const RULE_DELIVERY = { retryAttempts: 185, maxEventAge: Duration.hours(24) } as const;

export interface EventTriggersProps {
  readonly environment: string;
  readonly bus: events.IEventBus;
  readonly reportsBucket: s3.IBucket;
  /** Prefixes of the reports bucket whose new objects are returned sheets (uploads, email attachments). */
  readonly returnPrefixes: readonly string[];
  /** The prefix SES receiving stores inbound email under. */
  readonly inboundPrefix: string;
  readonly mailIntake: PalFunction;
  readonly routeReferral: PalFunction;
  readonly republishReferrals: PalFunction;
  readonly reportSend: PalFunction;
  readonly reportDue: PalFunction;
  readonly reportIngest: PalFunction;
  readonly sesFeedback: PalFunction;
  readonly contactConfirmations: PalFunction;
  /** The SES configuration set whose feedback events ses-feedback takes. */
  readonly configurationSetName: string;
}

/**
 * What starts the asynchronous functions, as infra/local/stack.ts wires them locally:
 * - `Referral Created` on the PAL bus → route-referral;
 * - `Report Build Requested` on the PAL bus (the report-send job's plan, one per report) → report-send;
 * - S3 `Object Created` under returned/ or received/ of the reports bucket (default bus) → report-ingest;
 * - S3 `Object Created` under inbound/ (email from SES receiving) → mail-intake;
 * - SES `Email Bounced` / `Email Complaint Received` of the configuration set (default bus) → ses-feedback;
 * - Scheduler, America/Chicago: the sweeper every 5 minutes; daily, contact-confirmations 06:30,
 *   report-send 07:00, report-due 07:15.
 * Every target retries and then dead-letters into its function's queue (encrypted), the same queue
 * Lambda uses when the function itself keeps failing.
 */
export class EventTriggers extends Construct {
  public readonly routeReferralRule: events.Rule;
  public readonly reportBuildRule: events.Rule;
  public readonly reportIngestRule: events.Rule;
  public readonly mailIntakeRule: events.Rule;
  public readonly sesFeedbackRule: events.Rule;
  public readonly scheduleGroup: scheduler.ScheduleGroup;
  public readonly schedules: Readonly<Record<keyof typeof SCHEDULES, scheduler.Schedule>>;

  constructor(scope: Construct, id: string, props: EventTriggersProps) {
    super(scope, id);

    this.routeReferralRule = new events.Rule(this, 'ReferralCreated', {
      ruleName: `pal-${props.environment}-referral-created`,
      description: 'Referral Created → route-referral',
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [ReferralCreated.detailType] },
    });
    this.routeReferralRule.addTarget(lambdaTarget(props.routeReferral));

    // One invocation per report: no one invocation's time limit caps organizations × rows.
    this.reportBuildRule = new events.Rule(this, 'ReportBuildRequested', {
      ruleName: `pal-${props.environment}-report-build-requested`,
      description: 'Report Build Requested → report-send (builds and emails that one report)',
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [ReportBuildRequested.detailType] },
    });
    this.reportBuildRule.addTarget(lambdaTarget(props.reportSend));

    // S3 announces objects on the default bus (the bucket has EventBridge notifications on).
    this.reportIngestRule = new events.Rule(this, 'ReturnedSheet', {
      ruleName: `pal-${props.environment}-returned-sheet`,
      description: "A returned sheet (an upload, or an email's attachment) in the reports bucket → report-ingest",
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.reportsBucket.bucketName] },
          object: { key: props.returnPrefixes.map((prefix) => ({ prefix })) },
        },
      },
    });
    this.reportIngestRule.addTarget(lambdaTarget(props.reportIngest));

    this.mailIntakeRule = new events.Rule(this, 'InboundMail', {
      ruleName: `pal-${props.environment}-inbound-mail`,
      description: 'An email stored by SES receiving in the reports bucket → mail-intake',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.reportsBucket.bucketName] },
          object: { key: [{ prefix: props.inboundPrefix }] },
        },
      },
    });
    this.mailIntakeRule.addTarget(lambdaTarget(props.mailIntake));

    // SES publishes feedback on the default bus only; the configuration set's tag keeps other senders' out.
    this.sesFeedbackRule = new events.Rule(this, 'MailFeedback', {
      ruleName: `pal-${props.environment}-mail-feedback`,
      description: 'SES bounces and complaints of the PAL configuration set → ses-feedback',
      eventPattern: {
        source: [SES_SOURCE],
        detailType: [...SES_FEEDBACK_DETAIL_TYPES],
        detail: { mail: { tags: { 'ses:configuration-set': [props.configurationSetName] } } },
      },
    });
    this.sesFeedbackRule.addTarget(lambdaTarget(props.sesFeedback));

    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: `pal-${props.environment}`,
      removalPolicy: KEPT,
    });
    const schedule = (
      name: keyof typeof SCHEDULES,
      description: string,
      fn: PalFunction,
      delivery: { retryAttempts: number; maxEventAge: Duration },
    ) => {
      const created = new scheduler.Schedule(this, pascal(name), {
        scheduleName: `pal-${props.environment}-${kebab(name)}`,
        description,
        scheduleGroup: this.scheduleGroup,
        schedule: scheduler.ScheduleExpression.expression(SCHEDULES[name], PROGRAM_TIME_ZONE),
        timeWindow: scheduler.TimeWindow.off(),
        target: new InvokeUnqualified(fn.function, {
          role: this.schedulerRole(pascal(name), fn),
          // The report jobs take `{}` (today in Minnesota) or `{ date }`; the sweeper ignores its input.
          input: scheduler.ScheduleTargetInput.fromObject({}),
          deadLetterQueue: fn.deadLetterQueue!.queue,
          ...delivery,
        }),
      });
      // The schedule names its group by name (no reference), so CloudFormation must be told the order.
      created.node.addDependency(this.scheduleGroup);
      return created;
    };
    this.schedules = {
      // A sweep that cannot be delivered within 4 minutes is overtaken by the next one.
      sweep: schedule('sweep', 'Every 5 minutes: re-publish unpublished referrals', props.republishReferrals, {
        retryAttempts: 3,
        maxEventAge: Duration.minutes(4),
      }),
      // Daily jobs: retried until early afternoon of the same Minnesota day, never into the next.
      contactConfirmations: schedule(
        'contactConfirmations',
        'Daily 06:30 America/Chicago: resume suspensions that end today, ask lead contacts to confirm, flag the unconfirmed',
        props.contactConfirmations,
        { retryAttempts: 20, maxEventAge: Duration.hours(6) },
      ),
      reportSend: schedule(
        'reportSend',
        'Daily 07:00 America/Chicago: send the reports due out today',
        props.reportSend,
        {
          retryAttempts: 20,
          maxEventAge: Duration.hours(6),
        },
      ),
      reportDue: schedule(
        'reportDue',
        'Daily 07:15 America/Chicago: reminders, overdue marks, OverdueReports',
        props.reportDue,
        {
          retryAttempts: 20,
          maxEventAge: Duration.hours(6),
        },
      ),
    };
  }

  /** A role Scheduler assumes for one schedule only: invoke that function, dead-letter into its queue. */
  private schedulerRole(name: string, fn: PalFunction): ManagedPolicyRole {
    const stack = Stack.of(this);
    const role = new ManagedPolicyRole(this, `${name}SchedulerRole`, {
      description: `EventBridge Scheduler invokes ${fn.name}`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule',
              resourceName: `${this.scheduleGroup.scheduleGroupName}/*`,
            }),
          },
        },
      }),
    });
    // Scheduler writes dead letters with this role: the queue's key too.
    fn.deadLetterQueue!.queue.encryptionMasterKey?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    return role;
  }
}

/**
 * Scheduler's Lambda target, granting its role the function itself only: LambdaInvoke's grant also
 * covers every version and alias (`<arn>:*`), which the schedules never call.
 */
class InvokeUnqualified extends schedulerTargets.LambdaInvoke {
  private readonly fn: lambda.IFunction;

  constructor(fn: lambda.IFunction, props: schedulerTargets.ScheduleTargetBaseProps) {
    super(fn, props);
    this.fn = fn;
  }

  protected override addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }),
    );
  }
}

function lambdaTarget(fn: PalFunction): targets.LambdaFunction {
  return new targets.LambdaFunction(fn.function, { deadLetterQueue: fn.deadLetterQueue!.queue, ...RULE_DELIVERY });
}
