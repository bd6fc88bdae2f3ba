import type { EventBridgeEvent } from 'aws-lambda';
import { SES_FEEDBACK_DETAIL_TYPES, SES_SOURCE } from '../../shared/domain/mail-feedback';
import type { FunctionName, Trigger } from '../functions';
import { FUNCTION_NAMES, specOf } from '../functions';
import type { ApiRouter } from './api-router';
import type { ApiHandler } from './api-server';
import type { DailyJob } from './daily-jobs';
import type { LocalEventBus, LocalRule } from './local-event-bus';
import type { LocalHandlers } from './local-functions';

type Handler = (...args: never[]) => Promise<unknown>;

export interface LocalTriggerOptions {
  readonly router: ApiRouter;
  readonly bus: LocalEventBus;
  /** An API function's local front door, where it differs from API Gateway's (the admin key). */
  readonly apiFronts?: Partial<Record<FunctionName, ApiHandler>>;
  /** A rule's local target, where the stack records what the handler returned. */
  readonly ruleTargets?: Partial<Record<FunctionName, LocalRule['target']>>;
}

export interface LocalSchedules {
  /** Daily jobs at their Minnesota time (DailyJobs), in the order of their times. */
  readonly daily: DailyJob[];
  /** Jobs on a rate (the sweeper), run every `sweepEveryMs` locally. */
  readonly periodic: { readonly name: FunctionName; readonly run: () => Promise<unknown> }[];
}

/**
 * Each function's trigger of its manifest entry (infra/functions.ts), as API Gateway, EventBridge and
 * Scheduler start it on AWS (infra/aws/constructs/event-triggers.construct.ts): API functions on the
 * router under their path, rule-started functions on the local bus, scheduled ones returned for the
 * stack to run.
 */
export function connectTriggers(handlers: LocalHandlers, options: LocalTriggerOptions): LocalSchedules {
  const schedules: LocalSchedules = { daily: [], periodic: [] };
  for (const name of FUNCTION_NAMES) {
    const trigger = specOf(name).trigger;
    const handler = handlers[name] as unknown as Handler;
    const call = handler as (input?: unknown) => Promise<unknown>;
    if (trigger.kind === 'api') {
      options.router.add(trigger.localPath, options.apiFronts?.[name] ?? (handler as unknown as ApiHandler));
    } else if (trigger.kind === 'schedule') {
      if ('daily' in trigger.at) schedules.daily.push({ name, at: trigger.at.daily, run: (date) => call({ date }) });
      else schedules.periodic.push({ name, run: () => call() });
    } else {
      const target = options.ruleTargets?.[name] ?? (handler as unknown as LocalRule['target']);
      options.bus.addRule({ name, ...patternOf(trigger), target });
    }
  }
  schedules.daily.sort((a, b) => a.at.localeCompare(b.at));
  return schedules;
}

function patternOf(trigger: Exclude<Trigger, { kind: 'api' | 'schedule' }>): Omit<LocalRule, 'name' | 'target'> {
  switch (trigger.kind) {
    case 'event':
      return { detailTypes: [trigger.detailType] };
    case 'object-created':
      return {
        detailTypes: ['Object Created'],
        matches: (e) => e.source === 'aws.s3' && keyStartsWith(e, trigger.prefixes),
      };
    case 'ses-feedback':
      return { detailTypes: SES_FEEDBACK_DETAIL_TYPES, matches: (e) => e.source === SES_SOURCE };
  }
}

function keyStartsWith(event: EventBridgeEvent<string, unknown>, prefixes: readonly string[]): boolean {
  const key = (event.detail as { object?: { key?: string } }).object?.key ?? '';
  return prefixes.some((prefix) => key.startsWith(prefix));
}
