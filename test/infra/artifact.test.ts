import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { EventBridgeEvent } from 'aws-lambda';
import demoDirectory from '../../config/demo-directory.json';
import { documentClient } from '../../shared/adapters/aws-clients';
import { DynamoAssisterDirectory } from '../../shared/adapters/dynamo-directory.adapter';
import { OrganizationSchema } from '../../shared/domain/organization';
import { LOCAL_CREDENTIALS } from '../../infra/local/stack';
import type { StoredEmail } from '../integration/support/local-stack';
import { sentEmails } from '../integration/support/local-stack';
import { referralBody } from '../integration/support/referrals';
import { fillReport, rawEmail } from '../integration/support/reports';
import { asSesStores } from '../integration/support/inbound-mail';
import type { ArtifactStandIns } from './support/artifact-stand-ins';
import { ACCOUNT, REGION, startArtifactStandIns } from './support/artifact-stand-ins';
import type { CloudAssembly, ShippedFunction } from './support/cloud-assembly';
import { idsOfType, resolveValue, shippedFunctions, synthWithCli } from './support/cloud-assembly';
import type { Invocation } from './support/lambda-sandbox';
import { LambdaSandbox } from './support/lambda-sandbox';

/*
 * The artifact that ships, run: `cdk synth` (the CLI, offline, as CI runs it) writes the cloud
 * assembly; each function's asset directory in it is loaded in a fresh Node process where only the
 * runtime's AWS SDK resolves, with the environment the template gives that function (references
 * resolved to the stand-ins, endpoints pointed at them), and driven by the events AWS would deliver:
 * an intake POST (API Gateway proxy), `Referral Created` (EventBridge), the report-send schedule
 * (Scheduler), a returned sheet (S3 Object Created via EventBridge) and an inbound email.
 * OE5's first window: referred Nov 8 2017, the report is sent Nov 22.
 */
jest.setTimeout(300_000);

const REGION_LITERAL = /\b[a-z]{2}(-gov)?-(north|south|east|west|central|northeast|southeast|northwest)-\d\b/g;

let root: string;
let assembly: CloudAssembly;
let functions: Map<string, ShippedFunction>;
let standIns: ArtifactStandIns;
let sandbox: LambdaSandbox;
let bucket: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pal-artifact-'));
  assembly = await synthWithCli(join(root, 'cdk.out'), 240_000);
  if (assembly.status !== 0) return;
  functions = new Map(shippedFunctions(assembly).map((f) => [f.name, f]));
  sandbox = new LambdaSandbox(root);
  standIns = await startArtifactStandIns(assembly, root);
  bucket = standIns.refs[idsOfType(assembly, 'AWS::S3::Bucket').find((id) => id.startsWith('ReportsBucket'))!]!;
  const directory = new DynamoAssisterDirectory(
    documentClient(
      { AWS_REGION: REGION, AWS_ENDPOINT_URL_DYNAMODB: standIns.endpoints.AWS_ENDPOINT_URL_DYNAMODB },
      LOCAL_CREDENTIALS,
    ),
    standIns.refs[idsOfType(assembly, 'AWS::DynamoDB::Table').find((id) => id.startsWith('DataDirectory'))!]!,
  );
  for (const org of demoDirectory.organizations) {
    await directory.put(OrganizationSchema.parse({ ...org, leadContactConfirmedAt: new Date().toISOString() }));
  }
});

afterAll(async () => {
  await standIns?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** The environment Lambda gives the function: the template's variables, resolved, and the runtime's own. */
function environmentOf(fn: ShippedFunction): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(fn.environment)) {
    env[key] = resolveValue(value, standIns.refs, `${fn.name} ${key}`);
  }
  return {
    ...env,
    ...standIns.endpoints,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: `pal-dev-${fn.name}`,
  };
}

async function invoke(name: string, event?: unknown): Promise<unknown> {
  const fn = functions.get(name)!;
  const run: Invocation = await sandbox.invoke(fn.assetDir, fn.handler, environmentOf(fn), event);
  if (!run.outcome.ok) {
    throw new Error(`${name} failed: ${run.outcome.errorName}: ${run.outcome.message}\n${run.stderr.slice(-2000)}`);
  }
  expect({ name, resolvesOutsideSdk: run.outcome.resolvesOutsideSdk }).toEqual({ name, resolvesOutsideSdk: [] });
  return run.outcome.result;
}

function eventBridgeEvent(detailType: string, source: string, detail: unknown): EventBridgeEvent<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: REGION,
    resources: [],
    detail,
  };
}

/** S3's Object Created as the bucket's EventBridge notification delivers it. */
function objectCreated(key: string, size: number): EventBridgeEvent<string, unknown> {
  return {
    ...eventBridgeEvent('Object Created', 'aws.s3', {
      version: '0',
      bucket: { name: bucket },
      object: { key, size, etag: 'etag', sequencer: '00' },
      'request-id': randomUUID(),
      requester: ACCOUNT,
      reason: 'PutObject',
    }),
    resources: [`arn:aws:s3:::${bucket}`],
  };
}

function apiEvent(method: string, path: string, body?: unknown): Record<string, unknown> {
  return {
    resource: path,
    path,
    httpMethod: method,
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      stage: 'v1',
      httpMethod: method,
      path: `/v1${path}`,
      identity: { sourceIp: '198.51.100.7', userArn: `arn:aws:iam::${ACCOUNT}:role/crm` },
    },
  };
}

const emailsTo = async (address: string): Promise<StoredEmail[]> =>
  (await sentEmails(standIns)).filter((e) => e.destination.to.some((to) => to.includes(address)));

describe('the shipped artifact (cdk.out)', () => {
  test('`cdk synth` runs offline without credentials and passes the cdk-nag packs', () => {
    expect({ status: assembly.status, stderr: assembly.status === 0 ? '' : assembly.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    expect(Object.keys(assembly.template.Resources).length).toBeGreaterThan(100);
  });

  test('the template is environment-agnostic: no region is written into it', () => {
    // The CLI fills in a region when none is configured (us-east-1): it must not land in what is
    // deployed. (Mappings are CDK's per-region lookup tables, keyed by every region: not a pin.)
    const { Resources, Outputs } = assembly.template;
    const named: Record<string, number> = {};
    for (const [region] of JSON.stringify({ Resources, Outputs }).matchAll(REGION_LITERAL)) {
      named[region] = (named[region] ?? 0) + 1;
    }
    expect({ regionsNamedInTemplate: named }).toEqual({ regionsNamedInTemplate: {} });
  });

  test('every function loads from its asset with only the runtime SDK resolvable', async () => {
    expect([...functions.keys()].sort()).toHaveLength(14);
    for (const fn of functions.values()) {
      expect({ name: fn.name, runtime: fn.runtime, handler: fn.handler }).toEqual({
        name: fn.name,
        runtime: 'nodejs22.x',
        handler: 'index.handler',
      });
      await invoke(fn.name);
    }
  });

  let referralId: string;
  let organizationId: string;

  test('intake (API Gateway proxy event) stores the referral and publishes Referral Created', async () => {
    const res = (await invoke(
      'intake-api',
      apiEvent('POST', '/referrals', referralBody({ referredAt: '2017-11-08T10:00:00-06:00' })),
    )) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(201);
    referralId = (JSON.parse(res.body) as { referralId: string }).referralId;
    expect(standIns.bus.published.map((e) => e['detail-type'])).toEqual(['Referral Created']);
  });

  test('routing (EventBridge Referral Created) emails the lead to the organization', async () => {
    const created = standIns.bus.published.find((e) => e['detail-type'] === 'Referral Created')!;
    await invoke('route-referral', created);
    const routed = standIns.bus.published.find((e) => e['detail-type'] === 'Referral Routed')!;
    organizationId = (routed.detail as { data: { organizationId: string } }).data.organizationId;
    const org = demoDirectory.organizations.find((o) => o.organizationId === organizationId)!;
    const leads = await emailsTo(org.leadEmail);
    expect(leads).toHaveLength(1);
    expect(leads[0]!.from).toContain('pal-leads@pal.mnsure.example.org');
    expect(leads[0]!.body.text).toContain(referralId);

    const status = (await invoke('intake-api', apiEvent('GET', `/referrals/${referralId}`))) as { body: string };
    expect(JSON.parse(status.body)).toEqual(expect.objectContaining({ referralId, status: 'emailed' }));
  });

  let reportId: string;
  let report: Buffer;

  test('report send (the Scheduler input to report-send, its Report Build Requested to report-build) stores the sheet and emails the organization', async () => {
    const scheduleId = idsOfType(assembly, 'AWS::Scheduler::Schedule').find((id) =>
      id.startsWith('TriggersReportSend'),
    )!;
    const input = (assembly.template.Resources[scheduleId]!.Properties!.Target as { Input: string }).Input;
    // The schedule sends `{}` (today in Minnesota); a date is the same payload for a past day.
    await invoke('report-send', { ...(JSON.parse(input) as object), date: '2017-11-22' });
    reportId = `2017-11-01_2017-11-15.${organizationId}`;
    // The job plans: one Report Build Requested, which its rule delivers to report-build.
    const units = standIns.bus.published.filter((e) => e['detail-type'] === 'Report Build Requested');
    expect(units.map((e) => (e.detail as { data: { reportId: string } }).data.reportId)).toEqual([reportId]);
    await invoke('report-build', units[0]);
    const listed = await standIns.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([`reports/2017-11-01_2017-11-15/${organizationId}.xlsx`]);
    const stored = await standIns.s3.send(new GetObjectCommand({ Bucket: bucket, Key: listed.Contents![0]!.Key! }));
    report = Buffer.from(await stored.Body!.transformToByteArray());
    expect(report.subarray(0, 2).toString('latin1')).toBe('PK');
    const org = demoDirectory.organizations.find((o) => o.organizationId === organizationId)!;
    const mail = (await emailsTo(org.leadEmail)).filter((e) => e.from.includes('pal-reports@'));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.body.text).toMatch(/Upload the completed report: \S+/);
  });

  test('an uploaded sheet (S3 Object Created) is ingested and the organization gets a receipt', async () => {
    const filled = await fillReport(report, {
      [referralId]: { contactMade: 'Y', contactDate: '11/10/2017', resolution: 'Contact made appointment scheduled' },
    });
    const key = `returned/${reportId}/${randomUUID()}.xlsx`;
    await standIns.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: filled }));
    const org = demoDirectory.organizations.find((o) => o.organizationId === organizationId)!;
    const before = (await emailsTo(org.leadEmail)).length;
    const results = await invoke('report-ingest', objectCreated(key, filled.length));
    expect(results).toEqual([expect.objectContaining({ outcome: 'ingested', reportId })]);
    expect((await emailsTo(org.leadEmail)).length).toBe(before + 1);
  });

  test('an emailed sheet (SES receiving into inbound/) is unpacked, ingested and receipted', async () => {
    const org = demoDirectory.organizations.find((o) => o.organizationId === organizationId)!;
    const filled = await fillReport(report, {
      [referralId]: { contactMade: 'Y', contactDate: '11/10/2017', resolution: 'Eligible for MA' },
    });
    // SES receiving stamps its verdicts on top; the template keeps REQUIRE_SENDER_AUTHENTICATION on.
    const fromDomain = org.leadEmail.split('@')[1]!;
    const mail = asSesStores(await rawEmail(`Lead Desk <${org.leadEmail}>`, filled), {
      spf: 'pass',
      dkim: [{ result: 'pass', domain: fromDomain }],
      dmarc: 'pass',
      fromDomain,
    });
    const key = `inbound/${randomUUID()}`;
    await standIns.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: mail }));
    const unpacked = (await invoke('mail-intake', objectCreated(key, mail.length))) as { keys?: string[] };
    const received = await standIns.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'received/' }));
    expect(received.Contents).toHaveLength(1);
    expect(unpacked).toEqual(expect.objectContaining({ outcome: 'unpacked' }));

    const before = (await emailsTo(org.leadEmail)).length;
    const sheetKey = received.Contents![0]!.Key!;
    const results = await invoke('report-ingest', objectCreated(sheetKey, received.Contents![0]!.Size ?? 0));
    expect(results).toEqual([expect.objectContaining({ outcome: 'ingested', reportId })]);
    expect((await emailsTo(org.leadEmail)).length).toBe(before + 1);
  });
});
