import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventBridgeEvent } from 'aws-lambda';
import type { InFlight } from './in-flight';

/** A rule: which detail-types it matches, and the handler it invokes (as a Lambda target would). */
export interface LocalRule {
  readonly name: string;
  readonly detailTypes: readonly string[];
  /** Further conditions of the rule's event pattern (source, key prefix…). */
  readonly matches?: (event: EventBridgeEvent<string, unknown>) => boolean;
  readonly target: (event: EventBridgeEvent<string, unknown>) => Promise<unknown>;
}

/**
 * EventBridge's delivery to a Lambda target: retried with exponential backoff until the retry
 * budget or the maximum event age runs out, then dead-lettered. AWS's defaults are 185 attempts
 * over 24 h; the local stack scales them down so a failure shows within minutes.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly maxEventAgeMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface DeadLetter {
  readonly rule: string;
  readonly event: EventBridgeEvent<string, unknown>;
  readonly attempts: number;
  readonly errorName: string;
}

export interface LocalEventBusOptions {
  readonly region: string;
  readonly retry: RetryPolicy;
  /** Counts each delivery while its target runs, so the stack can wait for them when it stops. */
  readonly inFlight?: InFlight;
  /**
   * Deliveries a rule runs at once; more wait their turn, first come first served (as a Lambda target's
   * concurrency limit holds them). Every target shares this one process: without a limit a burst starts every
   * delivery at once and they share the CPU, so each takes as long as the whole burst (see the README's benchmarks).
   */
  readonly maxConcurrentDeliveries?: number;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * The bus of the local stack: an HTTP endpoint that speaks EventBridge's PutEvents (so handlers
 * publish with the real SDK client, only the endpoint differs) and delivers each event to the
 * matching rules' targets in-process, with EventBridge's retry and dead-letter semantics.
 */
export class LocalEventBus {
  private server?: Server;
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Map<string, number>();
  private readonly queued = new Map<string, { head: number; items: (() => void)[] }>();
  private stopped = false;
  readonly deadLetters: DeadLetter[] = [];
  readonly published: EventBridgeEvent<string, unknown>[] = [];
  /** Fault injection for tests: while it returns true, PutEvents reports every entry as failed. */
  failPublishes: () => boolean = () => false;

  constructor(
    private readonly rules: LocalRule[],
    private readonly options: LocalEventBusOptions,
  ) {}

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const { port: bound } = this.server.address() as AddressInfo;
    return `http://${host}:${bound}`;
  }

  addRule(rule: LocalRule): void {
    this.rules.push(rule);
  }

  /** Resolves once no delivery is running or waiting for a retry. */
  async idle(): Promise<void> {
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queued.clear();
    this.inFlight = 0;
    this.waiters.splice(0).forEach((w) => w());
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Puts an event on the bus directly (the scheduler and tests use this; handlers go through HTTP). */
  put(detailType: string, source: string, detail: unknown, time = new Date()): EventBridgeEvent<string, unknown> {
    const event: EventBridgeEvent<string, unknown> = {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: '000000000000',
      time: time.toISOString(),
      region: this.options.region,
      resources: [],
      detail,
    };
    this.published.push(event);
    this.route(event);
    return event;
  }

  /** Delivers the same event again, as EventBridge may (at-least-once). */
  redeliver(event: EventBridgeEvent<string, unknown>): void {
    this.route(event);
  }

  private route(event: EventBridgeEvent<string, unknown>): void {
    for (const rule of this.rules) {
      if (rule.detailTypes.includes(event['detail-type']) && (rule.matches?.(event) ?? true))
        this.deliver(rule, event, 1);
    }
  }

  private deliver(rule: LocalRule, event: EventBridgeEvent<string, unknown>, attempt: number): void {
    if (this.stopped) return;
    this.inFlight++;
    this.whenFree(rule.name, () => this.invoke(rule, event, attempt));
  }

  /** Runs start now if the rule is under its limit, else once a delivery of the rule ends (in arrival order). */
  private whenFree(ruleName: string, start: () => void): void {
    const limit = this.options.maxConcurrentDeliveries ?? Infinity;
    const running = this.running.get(ruleName) ?? 0;
    if (running < limit) {
      this.running.set(ruleName, running + 1);
      start();
      return;
    }
    let queue = this.queued.get(ruleName);
    if (!queue) this.queued.set(ruleName, (queue = { head: 0, items: [] }));
    queue.items.push(start);
  }

  private released(ruleName: string): void {
    const queue = this.queued.get(ruleName);
    if (queue && queue.head < queue.items.length) {
      const next = queue.items[queue.head]!;
      queue.items[queue.head++] = () => undefined;
      if (queue.head === queue.items.length) this.queued.delete(ruleName);
      next();
      return;
    }
    this.running.set(ruleName, (this.running.get(ruleName) ?? 1) - 1);
  }

  private invoke(rule: LocalRule, event: EventBridgeEvent<string, unknown>, attempt: number): void {
    if (this.stopped) return;
    const run = rule.target(event);
    void this.options.inFlight?.track(run).catch(() => undefined);
    void run.then(
      () => this.released(rule.name),
      () => this.released(rule.name),
    );
    run
      .then(() => this.settle())
      .catch((error: unknown) => {
        const errorName = error instanceof Error ? error.name : 'unknown';
        const { retry } = this.options;
        const age = Date.now() - Date.parse(event.time);
        const delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        if (attempt >= retry.maxAttempts || age + delay > retry.maxEventAgeMs) {
          this.deadLetters.push({ rule: rule.name, event, attempts: attempt, errorName });
          this.options.log?.('Event dead-lettered', {
            rule: rule.name,
            eventId: event.id,
            attempts: attempt,
            errorName,
          });
          this.settle();
          return;
        }
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.inFlight--;
          this.deliver(rule, event, attempt + 1);
        }, delay);
        this.timers.add(timer);
      });
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.waiters.splice(0).forEach((w) => w());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    if (target !== 'AWSEvents.PutEvents') {
      reply(400, { __type: 'UnknownOperationException', message: `${target} is not supported locally` });
      return;
    }
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      Entries: { Source: string; DetailType: string; Detail: string }[];
    };
    if (this.failPublishes()) {
      reply(200, {
        FailedEntryCount: input.Entries.length,
        Entries: input.Entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'injected failure' })),
      });
      return;
    }
    const entries = input.Entries.map((e) => ({
      EventId: this.put(e.DetailType, e.Source, JSON.parse(e.Detail) as unknown).id,
    }));
    reply(200, { FailedEntryCount: 0, Entries: entries });
  }
}
