import { WILDCARD_RESOURCE_GRANTS } from '../../infra/aws/constructs/pal-function.construct';
import type { LocalStack } from '../../infra/local/stack';
import { FUNCTION_NAMES } from '../../scripts/bundle-functions';
import type { DeployedFunction } from './contract/contract';
import { deployedFunction, requestsOf, runtimeCallsOf } from './contract/contract';
import type { AccessRequest, Verdict } from './contract/evaluate';
import { describe as describeVerdict, evaluate } from './contract/evaluate';
import { grantsOf, isWildcard, unusedGrants } from './contract/grants';
import type { RecordedCall } from './contract/recorder';
import { CallRecorder } from './contract/recorder';
import { runScenario } from './contract/scenario';
import { bucketsAnnouncingObjects, servicePathRequests } from './contract/service-paths';
import { TemplateModel } from './contract/template-model';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDeployConfig } from '../../infra/aws/config';
import type { PalSynth } from './support/pal-app';
import { cachedBundles, synthPal } from './support/pal-app';

/*
 * The offline deployment contract: every AWS call the code makes, recorded while the handlers run
 * a scenario on the local stack, is evaluated with IAM's logic against the synthesized template
 * (the function's role, the target's resource policy, the KMS key policy). The test drives its own
 * scenario rather than reading a recording of the integration suite: jest runs projects in
 * parallel and in no fixed order, so a recording written by another test file may be missing,
 * partial or stale; this one is made in the same run, from the same code, every time.
 */
let recorder: CallRecorder;
let stack: LocalStack | undefined;
let synth: PalSynth;
let model: TemplateModel;
let functions: Map<string, DeployedFunction>;
const verdicts: Verdict[] = [];

beforeAll(async () => {
  recorder = new CallRecorder();
  recorder.start();
  try {
    [stack, synth] = await Promise.all([runScenario(recorder), synthPal()]);
  } finally {
    recorder.stop();
  }
  model = new TemplateModel(synth.template.toJSON() as ConstructorParameters<typeof TemplateModel>[0]);
  functions = new Map(
    FUNCTION_NAMES.map((name) => [
      name,
      deployedFunction(model, name, synth.idOf(synth.stack.functions.functions[name].function)),
    ]),
  );
}, 600_000);
afterAll(() => stack?.stop());

function requestsFor(call: RecordedCall, problems: string[]): AccessRequest[] {
  const fn = functions.get(call.fn);
  if (!fn) {
    problems.push(`${call.fn} made ${call.operation} but is no function of the template`);
    return [];
  }
  const out = requestsOf(model, fn, call, stack!.env);
  if (typeof out === 'string') {
    problems.push(out);
    return [];
  }
  return out;
}

it('records the AWS calls of every function, attributed to the function whose handler made them', () => {
  const silent = FUNCTION_NAMES.filter((name) => !recorder.calls.some((c) => c.fn === name));

  expect(recorder.calls.length).toBeGreaterThan(0);
  // A function with no recorded call would pass the contract unseen: the scenario must reach it.
  expect(silent).toEqual([]);
});

it('ships no recorder: the deployed bundles hold nothing of test/ or of the local stack', async () => {
  const bundles = await cachedBundles(loadDeployConfig(synth.app.node).calendarPath);
  const foreign = FUNCTION_NAMES.flatMap((name) => {
    const map = JSON.parse(readFileSync(join(bundles[name].assetDir, 'index.mjs.map'), 'utf8')) as {
      sources: string[];
    };
    return map.sources.filter((s) => /(^|\/)(test|infra\/local)\//.test(s)).map((s) => `${name}: ${s}`);
  });

  expect(foreign).toEqual([]);
});

it('allows every call the functions make, on the resources the template gives them', async () => {
  const problems: string[] = [];
  const requests = [
    ...recorder.calls.flatMap((call) => requestsFor(call, problems)),
    ...[...functions.values()].flatMap((fn) =>
      runtimeCallsOf(model, fn).flatMap((c) => ('fn' in c ? requestsFor(c, problems) : [c])),
    ),
  ];
  const unique = [
    ...new Map(requests.map((r) => [JSON.stringify([r.who, r.action, r.resource, r.context]), r])).values(),
  ];
  verdicts.push(...(await Promise.all(unique.map(evaluate))));
  const denied = verdicts.filter((v) => !v.allowed).map(describeVerdict);

  expect(problems).toEqual([]);
  expect(denied).toEqual([]);
});

it('lets the AWS services do what the stack asks of them (alarms, rules, receiving, schedules, APIs)', async () => {
  const results = await Promise.all(servicePathRequests(model).map(evaluate));
  verdicts.push(...results);
  const denied = results.filter((v) => !v.allowed).map(describeVerdict);

  expect(denied).toEqual([]);
  // S3 → EventBridge takes no permission, only the bucket's switch, which the ingest rules rely on.
  expect(bucketsAnnouncingObjects(model)).toEqual([expect.stringMatching(/-reports-/)]);
});

it('refuses the same services acting for anything else in the account (confused deputy)', async () => {
  // The request each path makes, as if it came from another alarm, rule, receipt rule, schedule or API.
  const foreign = servicePathRequests(model)
    .filter((r) => typeof r.context['aws:SourceArn'] === 'string' && !r.action.startsWith('kms:'))
    .map((r) => ({
      ...r,
      who: `${r.who}, from another resource`,
      context: { ...r.context, 'aws:SourceArn': foreignArn(String(r.context['aws:SourceArn'])) },
    }));
  const results = await Promise.all(foreign.map(evaluate));
  const allowed = results
    .filter((v) => v.allowed)
    .map(
      (v) =>
        `${v.request.who}: ${v.request.action} on ${v.request.resource} is allowed for ${String(v.request.context['aws:SourceArn'])}`,
    );

  expect(foreign.length).toBeGreaterThan(0);
  expect(allowed).toEqual([]);
});

/** Another resource of the same kind in the same account: alarm:someone-else, rule/someone-else… */
function foreignArn(arn: string): string {
  const [prefix, resource] = [arn.split(':').slice(0, 5).join(':'), arn.split(':').slice(5).join(':')];
  if (prefix.includes(':execute-api:')) return `${prefix}:someone-else/v1/GET/x`;
  const type = /^[a-z-]+[/:]/.exec(resource)?.[0] ?? '';
  return `${prefix}:${type}someone-else`;
}

it('grants no wildcard without a reason in code, and lists every grant no call uses', () => {
  const roles = [...new Set([...functions.values()].map((f) => f.roleId))];
  const grants = grantsOf(model, roles);
  const unused = unusedGrants(
    model,
    grants,
    verdicts.filter((v) => v.allowed),
  );
  // One line per role and resource: the actions granted on it that no recorded call used.
  const byTarget = new Map<string, string[]>();
  for (const g of unused)
    byTarget.set(`${g.role} on ${g.resource}`, [...(byTarget.get(`${g.role} on ${g.resource}`) ?? []), g.action]);
  console.log(
    `Granted but used by no recorded call (${unused.length} of ${grants.length} role/action/resource grants):\n` +
      [...byTarget].map(([target, actions]) => `  ${target}: ${actions.join(', ')}`).join('\n'),
  );
  const wildcards = grants
    .filter(isWildcard)
    .filter((g) => !(g.resource === '*' && WILDCARD_RESOURCE_GRANTS[g.action]))
    .map((g) => `${g.role}: ${g.action} on ${g.resource} (no reason in WILDCARD_RESOURCE_GRANTS)`);

  expect(wildcards).toEqual([]);
});
