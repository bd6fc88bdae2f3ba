import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_CATALOG } from '../../events/catalog';
import { REPO_ROOT } from '../../infra/aws/config';
import { TABLE_ENV } from '../../infra/aws/constructs/data-tables.construct';
import { REPORT_PREFIXES } from '../../infra/aws/constructs/reports-bucket.construct';
import type { FunctionName } from '../../infra/functions';
import { configKeysOf, entryOf, eventsPublishedBy, FUNCTION_NAMES, specOf } from '../../infra/functions';

/**
 * The manifest (infra/functions.ts) against the code it names, without synthesizing the stack: a
 * new function is one entry plus its handler, and an entry that contradicts its handler or its
 * schema fails here, before a deploy would.
 */
/** Every export of shared/wiring/, by name. */
const WIRINGS: Record<string, unknown> = Object.assign(
  {},
  ...readdirSync(join(REPO_ROOT, 'shared', 'wiring'))
    .filter((f) => f.endsWith('.ts'))
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- every module of the folder, by path
    .map((f) => require(join(REPO_ROOT, 'shared', 'wiring', f)) as Record<string, unknown>),
);
const handlerDirs = readdirSync(join(REPO_ROOT, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

test('every functions/<name>/ directory has exactly one manifest entry, and every entry its handler', () => {
  expect([...FUNCTION_NAMES].sort()).toEqual([...handlerDirs].sort());
  expect(new Set(FUNCTION_NAMES).size).toBe(FUNCTION_NAMES.length);
});

test.each([...FUNCTION_NAMES])("%s: its entry's factory is its handler module's, which exports `handler`", (name) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module the bundler takes, by path
  const module = require(join(REPO_ROOT, entryOf(name))) as Record<string, unknown>;
  expect(typeof module.handler).toBe('function');
  expect(Object.values(module)).toContain(specOf(name).create);
  // The Lambda handler builds its deps from the same wiring the manifest (and so the local stack) uses.
  const source = readFileSync(join(REPO_ROOT, entryOf(name)), 'utf8');
  const used = /atColdStart\(async \(\) =>\s*\w+\(await depsFromEnvironment\((\w+Wiring)\)\),?\s*\)/.exec(source)?.[1];
  expect(used && WIRINGS[used]).toBe(specOf(name).wiring);
});

test.each([...FUNCTION_NAMES])('%s: what it may touch, its configuration can name', (name) => {
  const { touches } = specOf(name);
  const keys = configKeysOf(name);
  for (const role of Object.keys(touches.tables) as (keyof typeof TABLE_ENV)[]) {
    expect([role, keys.includes(TABLE_ENV[role])]).toEqual([role, true]);
  }
  const prefixes = [...(touches.bucket?.reads ?? []), ...(touches.bucket?.writes ?? [])];
  if (prefixes.length > 0) expect(keys).toContain('REPORTS_BUCKET');
  for (const prefix of prefixes) expect(Object.keys(REPORT_PREFIXES)).toContain(prefix);
  for (const sender of touches.sendsFrom ?? []) {
    expect(keys).toContain(sender === 'lead' ? 'LEAD_SENDER' : 'REPORT_SENDER');
  }
  if (eventsPublishedBy(name).length > 0) expect(keys).toContain('EVENT_BUS_NAME');
});

test("the event catalog's producers are functions of the manifest", () => {
  const producers = EVENT_CATALOG.flatMap((entry) => entry.producer.split(/,\s*/));
  expect(producers.filter((p) => !FUNCTION_NAMES.includes(p as FunctionName))).toEqual([]);
});

test('triggers do not collide: one rule name, schedule and local API path each', () => {
  const triggers = FUNCTION_NAMES.map((name) => specOf(name).trigger);
  const ids = triggers.map((t) =>
    t.kind === 'api' ? `api ${t.localPath}` : t.kind === 'schedule' ? `schedule ${t.schedule}` : `rule ${t.rule}`,
  );
  expect(new Set(ids).size).toBe(ids.length);
});

test('memory, timeout and concurrency are within what Lambda and API Gateway accept', () => {
  for (const name of FUNCTION_NAMES) {
    const spec = specOf(name);
    const memory = spec.memorySize ?? 512;
    expect([name, memory >= 128 && memory <= 10240]).toEqual([name, true]);
    // API Gateway gives up on an integration after 29 s; Lambda stops a function at 15 minutes.
    const limit = spec.trigger.kind === 'api' ? 29 : 15 * 60;
    expect([name, spec.timeoutSeconds > 0 && spec.timeoutSeconds <= limit]).toEqual([name, true]);
    expect([name, spec.reservedConcurrency >= 1]).toEqual([name, true]);
  }
});
