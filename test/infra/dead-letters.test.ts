import type { PalSynth } from './support/pal-app';
import { synthPal } from './support/pal-app';
import { flat, resourcesOfType } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

/*
 * EventBridge rules, Scheduler schedules and Lambda's asynchronous invocations put failed events
 * in the functions' dead-letter queues. Whether EventBridge's KMS requests (made through SQS) carry
 * aws:SourceAccount is documented nowhere, so those queues use SSE-SQS, which needs no key policy:
 * the delivery depends only on the queue policy.
 */
describe('dead-letter queues of the functions', () => {
  const targetQueues = (): string[] => {
    const ids = new Set<string>();
    for (const [, p] of [
      ...resourcesOfType(synth, 'AWS::Events::Rule'),
      ...resourcesOfType(synth, 'AWS::Scheduler::Schedule'),
    ]) {
      const targets = (Array.isArray(p.Targets) ? p.Targets : [p.Target]) as { DeadLetterConfig?: { Arn: unknown } }[];
      for (const t of targets)
        if (t?.DeadLetterConfig) ids.add(flat(t.DeadLetterConfig.Arn).replace(/^<(.*)\.Arn>$/, '$1'));
    }
    for (const [, p] of resourcesOfType(synth, 'AWS::Lambda::Function')) {
      const dlq = (p.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn;
      if (dlq) ids.add(flat(dlq).replace(/^<(.*)\.Arn>$/, '$1'));
    }
    return [...ids].sort();
  };

  test('every queue a rule, a schedule or an async invocation dead-letters into is SSE-SQS, not a customer key', () => {
    const queues = targetQueues();
    // One per asynchronous function, shared by its trigger and by Lambda's own retries.
    expect(queues).toHaveLength(9);
    for (const id of queues) {
      const p = synth.resources[id]!.Properties!;
      expect({ id, sse: p.SqsManagedSseEnabled, key: p.KmsMasterKeyId }).toEqual({ id, sse: true, key: undefined });
    }
  });

  test('no key policy lets EventBridge use a key it no longer needs', () => {
    for (const [id, p] of resourcesOfType(synth, 'AWS::KMS::Key')) {
      const statements = (p.KeyPolicy as { Statement: { Principal?: unknown }[] }).Statement;
      const events = statements.filter((s) => JSON.stringify(s.Principal ?? '').includes('events.amazonaws.com'));
      expect({ id, events }).toEqual({ id, events: [] });
    }
  });
});
