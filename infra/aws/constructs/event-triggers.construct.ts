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
import { EVENT_SOURCE } from '../../../events/catalog';
import { SES_FEEDBACK_DETAIL_TYPES, SES_SOURCE } from '../../../shared/domain/mail-feedback';
import type { FunctionName, ScheduleKey, Trigger } from '../../functions';
import { constructIdOf, FUNCTION_NAMES, specOf } from '../../functions';
import { ManagedPolicyRole } from './managed-policy-role';
import { kebab, pascal } from './names';
import type { PalFunction } from './pal-function.construct';
import { KEPT } from './retention';

/** The program's time zone: daily jobs keep their Minnesota wall-clock time across daylight saving. */
export const PROGRAM_TIME_ZONE = TimeZone.AMERICA_CHICAGO;

/** When the jobs run (EventBridge Scheduler expressions, evaluated in America/Chicago), from the manifest. */
export const SCHEDULES = Object.fromEntries(
  FUNCTION_NAMES.flatMap((name) => {
    const trigger = specOf(name).trigger;
    return trigger.kind === 'schedule' ? [[trigger.schedule, expressionOf(trigger.at)]] : [];
  }),
) as Readonly<Record<ScheduleKey, string>>;

/** EventBridge delivery to a function: as long as EventBridge allows (185 attempts over 24 hours). */
export const RULE_DELIVERY = { retryAttempts: 185, maxEventAge: Duration.hours(24) } as const;

export interface EventTriggersProps {
  readonly environment: string;
  readonly bus: events.IEventBus;
  readonly reportsBucket: s3.IBucket;
  readonly functions: Readonly<Record<FunctionName, PalFunction>>;
  /** The SES configuration set whose feedback events ses-feedback takes. */
  readonly configurationSetName: string;
}

/**
 * What starts the asynchronous functions, each as its manifest entry says (infra/functions.ts),
 * as infra/local/ wires them locally:
 * - a PAL event on the PAL bus (`Referral Created` → route-referral);
 * - S3 `Object Created` under some prefixes of the reports bucket (default bus): returned/ and
 *   received/ → report-ingest, inbound/ (email from SES receiving) → mail-intake;
 * - SES `Email Bounced` / `Email Complaint Received` of the configuration set (default bus) → ses-feedback;
 * - Scheduler, America/Chicago: the sweeper every 5 minutes; daily, contact-confirmations 06:30,
 *   report-send 07:00, report-due 07:15.
 * Every target retries and then dead-letters into its function's queue (encrypted), the same queue
 * Lambda uses when the function itself keeps failing.
 */
export class EventTriggers extends Construct {
  /** The EventBridge rule of each function a rule starts. */
  public readonly rules: Readonly<Partial<Record<FunctionName, events.Rule>>>;
  public readonly scheduleGroup: scheduler.ScheduleGroup;
  public readonly schedules: Readonly<Record<ScheduleKey, scheduler.Schedule>>;

  constructor(scope: Construct, id: string, props: EventTriggersProps) {
    super(scope, id);
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: `pal-${props.environment}`,
      removalPolicy: KEPT,
    });
    const rules: Partial<Record<FunctionName, events.Rule>> = {};
    const schedules: Partial<Record<ScheduleKey, scheduler.Schedule>> = {};
    for (const name of FUNCTION_NAMES) {
      const trigger = specOf(name).trigger;
      const fn = props.functions[name];
      if (trigger.kind === 'schedule') schedules[trigger.schedule] = this.schedule(props, trigger, fn);
      else if (trigger.kind !== 'api') rules[name] = this.rule(props, trigger, fn);
    }
    this.rules = rules;
    this.schedules = schedules as Record<ScheduleKey, scheduler.Schedule>;
  }

  private rule(props: EventTriggersProps, trigger: RuleTrigger, fn: PalFunction): events.Rule {
    const rule = new events.Rule(this, constructIdOf(trigger.rule), {
      ruleName: `pal-${props.environment}-${trigger.rule}`,
      description: trigger.description,
      ...(trigger.kind === 'event' && { eventBus: props.bus }),
      eventPattern: patternOf(props, trigger),
    });
    rule.addTarget(lambdaTarget(fn));
    return rule;
  }

  private schedule(props: EventTriggersProps, trigger: ScheduleTrigger, fn: PalFunction): scheduler.Schedule {
    const id = pascal(trigger.schedule);
    const created = new scheduler.Schedule(this, id, {
      scheduleName: `pal-${props.environment}-${kebab(trigger.schedule)}`,
      description: trigger.description,
      scheduleGroup: this.scheduleGroup,
      schedule: scheduler.ScheduleExpression.expression(SCHEDULES[trigger.schedule], PROGRAM_TIME_ZONE),
      timeWindow: scheduler.TimeWindow.off(),
      target: new InvokeUnqualified(fn.function, {
        role: this.schedulerRole(id, fn),
        // The report jobs take `{}` (today in Minnesota) or `{ date }`; the sweeper ignores its input.
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: fn.deadLetterQueue!.queue,
        retryAttempts: trigger.retryAttempts,
        maxEventAge: Duration.minutes(trigger.maxEventAgeMinutes),
      }),
    });
    // The schedule names its group by name (no reference), so CloudFormation must be told the order.
    created.node.addDependency(this.scheduleGroup);
    return created;
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

type RuleTrigger = Exclude<Trigger, { kind: 'api' | 'schedule' }>;
type ScheduleTrigger = Extract<Trigger, { kind: 'schedule' }>;

/** '07:00' → cron(0 7 * * ? *); 5 minutes → rate(5 minutes). */
function expressionOf(at: ScheduleTrigger['at']): string {
  if ('everyMinutes' in at) return `rate(${at.everyMinutes} minutes)`;
  const [hour, minute] = at.daily.split(':').map(Number);
  return `cron(${minute} ${hour} * * ? *)`;
}

function patternOf(props: EventTriggersProps, trigger: RuleTrigger): events.EventPattern {
  switch (trigger.kind) {
    case 'event':
      return { source: [EVENT_SOURCE], detailType: [trigger.detailType] };
    // S3 announces objects on the default bus (the bucket has EventBridge notifications on).
    case 'object-created':
      return {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.reportsBucket.bucketName] },
          object: { key: trigger.prefixes.map((prefix) => ({ prefix })) },
        },
      };
    // SES publishes feedback on the default bus only; the configuration set's tag keeps other senders' out.
    case 'ses-feedback':
      return {
        source: [SES_SOURCE],
        detailType: [...SES_FEEDBACK_DETAIL_TYPES],
        detail: { mail: { tags: { 'ses:configuration-set': [props.configurationSetName] } } },
      };
  }
}
