import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/aws/config';
import { SENDS_EMAIL } from '../../infra/aws/constructs/function-placement';
import type { PalFunction } from '../../infra/aws/constructs/pal-function.construct';
import type { FunctionName } from '../../infra/functions';
import { configKeysOf, FUNCTION_NAMES, specOf } from '../../infra/functions';
import { HANDLER } from '../../scripts/bundle-functions';
import type { TableRole } from '../../shared/adapters/dynamo-tables';
import { TABLE_DEFINITIONS } from '../../shared/adapters/dynamo-tables';
import { loadConfig } from '../../shared/config';
import { secretsOf } from '../../shared/wiring/wiring';
import type { PalSynth } from './support/pal-app';
import { cdkJsonContext, synthPal } from './support/pal-app';
import { flat, grantsOfRole, statementsOfRole } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

const context = cdkJsonContext();
const fnOf = (name: FunctionName): PalFunction => synth.stack.functions.functions[name];
const propsOf = (name: FunctionName) => synth.resources[synth.idOf(fnOf(name).function)]!.Properties!;
const envOf = (name: FunctionName) => (propsOf(name).Environment as { Variables: Record<string, unknown> }).Variables;

/** The functions whose schema reads a variable (the manifest's schema is the one its handler loads). */
const reading = (variable: string) => FUNCTION_NAMES.filter((n) => configKeysOf(n).includes(variable));
/** The REST APIs (by logical id) whose methods integrate a function, found in the template. */
const apisInvoking = (name: FunctionName) => {
  const arn = `<${synth.idOf(fnOf(name).function)}.Arn>`;
  const apis = Object.values(synth.resources)
    .filter((r) => r.Type === 'AWS::ApiGateway::Method')
    .filter((r) =>
      JSON.stringify(flat((r.Properties!.Integration as { Uri?: unknown } | undefined)?.Uri ?? '')).includes(arn),
    )
    .map((r) => flat(r.Properties!.RestApiId));
  return [...new Set(apis)];
};
const apiInvoked = () => FUNCTION_NAMES.filter((name) => apisInvoking(name).length > 0);

describe('the deployed functions', () => {
  test('are exactly the functions/*/handler.ts entries, one manifest entry each (infra/functions.ts)', () => {
    const entries = readdirSync(join(REPO_ROOT, 'functions'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && readdirSync(join(REPO_ROOT, 'functions', d.name)).includes('handler.ts'))
      .map((d) => d.name);
    expect([...FUNCTION_NAMES].sort()).toEqual(entries.sort());
    expect(Object.keys(synth.stack.functions.functions).sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  test.each([...FUNCTION_NAMES])(
    '%s: Node.js 22 on arm64, traced, sized; in the isolated subnets unless it sends email',
    (name) => {
      const p = propsOf(name);
      expect(p).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: HANDLER,
        TracingConfig: { Mode: 'Active' },
        RuntimeManagementConfig: { UpdateRuntimeOn: 'FunctionUpdate' },
      });
      expect(p.MemorySize).toEqual(expect.any(Number));
      expect(p.Timeout).toEqual(expect.any(Number));
      // Off by default (context reservedConcurrency): a new account's quota refuses any reservation.
      expect(p.ReservedConcurrentExecutions).toBeUndefined();
      if (SENDS_EMAIL.has(name)) {
        expect(p.VpcConfig).toBeUndefined();
        return;
      }
      const vpc = p.VpcConfig as { SubnetIds: unknown[]; SecurityGroupIds: unknown[] };
      const isolated = synth.stack.network.vpc.isolatedSubnets.map((s) => `<${synth.idOf(s)}>`);
      expect(vpc.SubnetIds.map(flat).sort()).toEqual(isolated.sort());
      expect(vpc.SecurityGroupIds.map(flat)).toEqual([
        `<${synth.idOf(synth.stack.network.functionsSecurityGroup)}.GroupId>`,
      ]);
    },
  );

  test('with reservedConcurrency on, a flood of one function cannot starve the others, and the account keeps room', async () => {
    const reserving = await synthPal({ reservedConcurrency: 'true' });
    const reservedOf = (name: FunctionName) =>
      reserving.resources[reserving.idOf(reserving.stack.functions.functions[name].function)]!.Properties!
        .ReservedConcurrentExecutions as number;
    const reserved = FUNCTION_NAMES.map(reservedOf);
    // Lambda keeps 100 unreserved: this total plus 100 is the quota preflight asks for.
    expect(reserved.reduce((a, b) => a + b, 0)).toBe(83);
    for (const name of ['republish-referrals', 'report-send', 'report-due', 'contact-confirmations'] as const) {
      expect(reservedOf(name)).toBe(1);
    }
    // report-build builds one report per invocation, a few at once.
    expect(reservedOf('report-build')).toBe(4);
  });

  test.each([...FUNCTION_NAMES])(
    '%s: logs to its own KMS-encrypted log group with the configured retention',
    (name) => {
      const logGroupId = synth.idOf(fnOf(name).logGroup);
      expect(flat((propsOf(name).LoggingConfig as { LogGroup: unknown }).LogGroup)).toBe(`<${logGroupId}>`);
      const logGroup = synth.resources[logGroupId]!;
      expect(flat(logGroup.Properties!.KmsKeyId)).toBe(`<${synth.idOf(synth.stack.encryption.logsKey)}.Arn>`);
      expect(logGroup.Properties!.RetentionInDays).toBe(context.logRetentionDays);
      expect(logGroup.DeletionPolicy).toBe('RetainExceptOnCreate');
    },
  );

  test.each([...FUNCTION_NAMES])('%s: Powertools settings and source maps; never the event in the logs', (name) => {
    expect(envOf(name)).toMatchObject({
      POWERTOOLS_SERVICE_NAME: name,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'PalReferrals',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(envOf(name)).not.toHaveProperty('POWERTOOLS_LOGGER_LOG_EVENT');
  });

  test.each([...FUNCTION_NAMES])(
    '%s: its environment satisfies its configuration schema (secrets by ARN only)',
    (name) => {
      const env = envOf(name);
      // No secret value in the environment: only ARNs, each a reference to a Secrets Manager secret.
      expect(Object.keys(env).filter((k) => /SECRET$/.test(k))).toEqual([]);
      const secretIds = Object.values(synth.stack.secrets.secrets).map((s) => `<${synth.idOf(s)}>`);
      for (const [k, v] of Object.entries(env).filter(([k]) => k.endsWith('_SECRET_ARN'))) {
        expect([k, secretIds.includes(flat(v))]).toEqual([k, true]);
      }
      // What the handler would see: references become plausible values, secrets are read from their ARN.
      const runtime: Record<string, string> = { AWS_REGION: 'us-east-2' };
      for (const [k, v] of Object.entries(env)) {
        if (k.endsWith('_SECRET_ARN')) runtime[k.replace(/_ARN$/, '')] = 'x'.repeat(64);
        else
          runtime[k] =
            typeof v === 'string' ? v : k === 'PUBLIC_API_URL' ? 'https://links.example.org/links' : 'resolved';
      }
      expect(() => loadConfig(specOf(name).wiring.config, runtime)).not.toThrow();
    },
  );

  test("report functions require SES's sender verdicts on inbound mail, and links are built on the public links API", () => {
    const linksApiId = synth.idOf(synth.stack.linksApi.restApi.api);
    for (const name of reading('REQUIRE_SENDER_AUTHENTICATION')) {
      expect(envOf(name).REQUIRE_SENDER_AUTHENTICATION).toBe('true');
    }
    const linkWriters = reading('PUBLIC_API_URL');
    expect(linkWriters.length).toBeGreaterThan(0);
    for (const name of linkWriters) {
      expect(flat(envOf(name).PUBLIC_API_URL)).toBe(
        `https://<${linksApiId}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/links`,
      );
    }
  });

  test('API Gateway invokes exactly the functions whose manifest trigger is an API, each from its API', () => {
    const apiId = { intake: synth.stack.intakeApi.restApi.api, links: synth.stack.linksApi.restApi.api };
    const declared = FUNCTION_NAMES.flatMap((name) => {
      const trigger = specOf(name).trigger;
      return trigger.kind === 'api' ? [[name, [`<${synth.idOf(apiId[trigger.api])}>`]]] : [];
    });
    expect(apiInvoked().map((name) => [name, apisInvoking(name)])).toEqual(declared);
  });

  test.each([...FUNCTION_NAMES])('%s: a dead-letter queue if (and only if) it is invoked asynchronously', (name) => {
    const dlq = fnOf(name).deadLetterQueue;
    if (!apiInvoked().includes(name)) {
      expect(flat((propsOf(name).DeadLetterConfig as { TargetArn: unknown }).TargetArn)).toBe(
        `<${synth.idOf(dlq!.queue)}.Arn>`,
      );
    } else {
      expect(dlq).toBeUndefined();
      expect(propsOf(name).DeadLetterConfig).toBeUndefined();
    }
  });
});

describe("each function's role allows only its own resources", () => {
  const id = (c: Parameters<PalSynth['idOf']>[0]) => synth.idOf(c);
  const tableArn = (role: TableRole) => `<${id(synth.stack.data.tables[role])}.Arn>`;
  const indexArns = (role: TableRole) =>
    (TABLE_DEFINITIONS[role].GlobalSecondaryIndexes ?? []).map((i) => `${tableArn(role)}/index/${i.IndexName}`);
  const pairs = (actions: string[], resources: string[]) =>
    actions.flatMap((a) => resources.map((r) => `${a} on ${r}`));
  const READ = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query'];
  const WRITE = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
  const dataKey = () => `<${id(synth.stack.encryption.dataKey)}.Arn>`;

  const table = (role: TableRole, access: 'r' | 'rw') =>
    pairs(access === 'r' ? READ : [...READ, ...WRITE], [tableArn(role), ...indexArns(role)]);
  const tableKey = (write: boolean) =>
    pairs(
      ['kms:Decrypt', 'kms:DescribeKey', ...(write ? ['kms:Encrypt', 'kms:GenerateDataKey'] : [])],
      [`${dataKey()} via dynamodb`],
    );
  const objects = (action: 's3:GetObject' | 's3:PutObject', prefix: string) => [
    `${action} on <${id(synth.stack.reports.bucket)}.Arn>/${prefix}*`,
    ...pairs([action === 's3:GetObject' ? 'kms:Decrypt' : 'kms:GenerateDataKey'], [`${dataKey()} via s3`]),
  ];
  const common = (name: FunctionName) => [
    ...pairs(['logs:CreateLogStream', 'logs:PutLogEvents'], [`<${id(fnOf(name).logGroup)}.Arn>`]),
    ...(SENDS_EMAIL.has(name)
      ? []
      : pairs(
          [
            'ec2:AssignPrivateIpAddresses',
            'ec2:CreateNetworkInterface',
            'ec2:DeleteNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:UnassignPrivateIpAddresses',
          ],
          ['*'],
        )),
    ...pairs(['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']),
    ...(fnOf(name).deadLetterQueue ? [`sqs:SendMessage on <${id(fnOf(name).deadLetterQueue!.queue)}.Arn>`] : []),
  ];
  const publish = () => [`events:PutEvents on <${id(synth.stack.events.bus)}.Arn>`];
  const send = () => {
    const set = synth.stack.email.configurationSet;
    return [
      `ses:SendEmail on arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:configuration-set/<${id(set)}>`,
      `ses:SendEmail on arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/${context.sesDomain as string}`,
    ];
  };

  const expected: Record<FunctionName, () => string[]> = {
    'intake-api': () => [...table('referrals', 'rw'), ...tableKey(true), ...publish()],
    'republish-referrals': () => [...table('referrals', 'rw'), ...tableKey(true), ...publish()],
    'route-referral': () => [
      ...table('referrals', 'rw'),
      // The organizations' load counters, taken with each routing decision: updates only.
      ...pairs([...READ, 'dynamodb:UpdateItem'], [tableArn('directory'), ...indexArns('directory')]),
      ...table('consumerHistory', 'rw'),
      ...tableKey(true),
      ...publish(),
      ...send(),
      ...secretRead('consumerKey', 'signing'),
    ],
    // The plan: reads and the events; the builds are report-build's.
    'report-send': () => [
      ...table('referrals', 'r'),
      ...table('directory', 'r'),
      ...table('reports', 'r'),
      ...tableKey(false),
      ...publish(),
      ...secretRead('signing'),
    ],
    'report-build': () => [
      ...table('referrals', 'r'),
      ...table('directory', 'r'),
      ...table('reports', 'rw'),
      ...tableKey(true),
      ...objects('s3:PutObject', 'reports/'),
      ...publish(),
      ...send(),
      ...secretRead('signing'),
    ],
    'report-due': () => [
      ...table('directory', 'r'),
      ...table('reports', 'rw'),
      ...tableKey(true),
      ...publish(),
      ...send(),
      ...secretRead('signing'),
    ],
    'report-ingest': () => [
      ...table('referrals', 'rw'),
      ...table('directory', 'r'),
      ...table('reports', 'rw'),
      ...tableKey(true),
      ...objects('s3:GetObject', 'returned/'),
      ...objects('s3:GetObject', 'received/'),
      ...publish(),
      ...send(),
      ...secretRead('signing'),
    ],
    'mail-intake': () => [
      ...table('directory', 'r'),
      ...tableKey(false),
      ...objects('s3:GetObject', 'inbound/'),
      ...objects('s3:PutObject', 'received/'),
      ...publish(),
      ...send(),
    ],
    'report-links': () => [
      ...table('reports', 'r'),
      ...tableKey(false),
      ...objects('s3:GetObject', 'reports/'),
      ...objects('s3:PutObject', 'returned/'),
      ...secretRead('signing'),
    ],
    'lead-page': () => [
      ...table('referrals', 'r'),
      ...table('directory', 'r'),
      `dynamodb:PutItem on ${tableArn('audit')}`,
      ...tableKey(true),
      ...secretRead('signing'),
    ],
    'ses-feedback': () => [
      ...table('referrals', 'rw'),
      ...table('directory', 'rw'),
      `dynamodb:PutItem on ${tableArn('audit')}`,
      ...tableKey(true),
      ...publish(),
      ...send(),
      ...secretRead('consumerKey', 'signing'),
    ],
    'contact-confirmations': () => [
      ...table('directory', 'rw'),
      ...pairs([...READ, 'dynamodb:PutItem'], [tableArn('audit'), ...indexArns('audit')]),
      ...tableKey(true),
      ...publish(),
      ...send(),
      ...secretRead('signing'),
    ],
    'contact-confirm': () => [
      ...table('directory', 'rw'),
      `dynamodb:PutItem on ${tableArn('audit')}`,
      ...tableKey(true),
      ...secretRead('signing'),
    ],
    'admin-api': () => [
      ...table('referrals', 'rw'),
      ...table('directory', 'rw'),
      ...table('reports', 'rw'),
      ...pairs([...READ, 'dynamodb:PutItem'], [tableArn('audit'), ...indexArns('audit')]),
      ...tableKey(true),
      ...objects('s3:GetObject', 'reports/'),
      ...objects('s3:PutObject', 'reports/'),
      ...publish(),
      ...send(),
      ...secretRead('consumerKey', 'signing'),
    ],
  };
  function secretRead(...roles: ('consumerKey' | 'signing')[]) {
    return pairs(
      ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      roles.map((r) => `<${id(synth.stack.secrets.secrets[r])}>`),
    );
  }

  test.each([...FUNCTION_NAMES])('%s: exactly the expected actions on the expected resources', (name) => {
    const roleId = id(fnOf(name).role);
    expect(grantsOfRole(synth, roleId)).toEqual([...new Set([...common(name), ...expected[name]()])].sort());
    // Its role has no inline policy: every grant is in its customer managed policy.
    expect(synth.resources[roleId]!.Properties!.Policies).toBeUndefined();
  });

  test.each([...FUNCTION_NAMES])(
    '%s: "*" only for X-Ray and the VPC network interfaces (no resource-level ARNs exist)',
    (name) => {
      for (const s of statementsOfRole(synth, id(fnOf(name).role)).filter((st) => st.resources.includes('*'))) {
        expect(s.actions.every((a) => a.startsWith('xray:') || a.startsWith('ec2:'))).toBe(true);
      }
    },
  );

  test.each([...FUNCTION_NAMES])('%s: key use only through the service that holds the data', (name) => {
    for (const s of statementsOfRole(synth, id(fnOf(name).role)).filter((st) => st.resources.includes(dataKey()))) {
      expect(JSON.stringify(s.conditions)).toMatch(/kms:ViaService.*(dynamodb|s3)\./);
    }
  });

  const byProducer: Record<string, string[]> = {
    'intake-api': ['Referral Created'],
    'republish-referrals': ['Referral Created'],
    'route-referral': ['Referral Routed', 'Referral Unroutable', 'Lead Emailed', 'Lead Email Failed'],
    'report-send': ['Report Build Requested'],
    'report-build': ['Report Sent'],
    'report-due': ['Report Overdue'],
    'report-ingest': ['Report Received', 'Report Accepted'],
    'ses-feedback': [
      'Referral Routed',
      'Lead Emailed',
      'Lead Email Failed',
      'Referral Reassigned',
      'Lead Contact Failing',
    ],
    'contact-confirmations': ['Lead Contact Unconfirmed'],
    'admin-api': ['Referral Reassigned', 'Referral Routed', 'Lead Emailed', 'Lead Email Failed', 'Report Sent'],
  };
  test.each(Object.keys(byProducer) as FunctionName[])(
    '%s: publishes on the PAL bus only its own events, as source mnsure.pal.referrals',
    (name) => {
      const [statement] = statementsOfRole(synth, id(fnOf(name).role)).filter((s) =>
        s.actions.includes('events:PutEvents'),
      );
      const conditions = statement!.conditions as Record<string, Record<string, string | string[]>>;
      const detailTypes = ([] as string[]).concat(conditions['ForAllValues:StringEquals']!['events:detail-type']!);
      expect(conditions).toMatchObject({
        'ForAllValues:StringEquals': { 'events:source': ['mnsure.pal.referrals'] },
        Null: { 'events:source': 'false', 'events:detail-type': 'false' },
      });
      expect(detailTypes.sort()).toEqual(byProducer[name]!.sort());
    },
  );

  test('sends email only from its own sender address', () => {
    const from = (name: FunctionName) =>
      statementsOfRole(synth, id(fnOf(name).role)).find((s) => s.actions.includes('ses:SendEmail'))?.conditions;
    for (const name of ['route-referral', 'ses-feedback', 'contact-confirmations'] as const) {
      expect(from(name)).toEqual({ StringEquals: { 'ses:FromAddress': context.leadSender } });
    }
    for (const name of ['report-build', 'report-due', 'report-ingest'] as const) {
      expect(from(name)).toEqual({ StringEquals: { 'ses:FromAddress': context.reportSender } });
    }
    // The ops tool re-sends leads and reports.
    expect(from('admin-api')).toEqual({
      StringEquals: { 'ses:FromAddress': [context.leadSender, context.reportSender] },
    });
  });

  test('only the functions that hold a secret may decrypt it, and only through Secrets Manager', () => {
    const key = synth.resources[id(synth.stack.encryption.dataKey)]!.Properties!.KeyPolicy as {
      Statement: { Principal: { AWS: unknown }; Action: unknown; Condition?: unknown }[];
    };
    const decrypters = key.Statement.filter((s) => s.Action === 'kms:Decrypt').flatMap((s) =>
      ([] as unknown[]).concat(s.Principal.AWS).map(flat),
    );
    const holders = FUNCTION_NAMES.filter((n) => secretsOf(specOf(n).wiring.config).length > 0);
    expect(decrypters.sort()).toEqual(holders.map((n) => `<${id(fnOf(n).role)}.Arn>`).sort());
    for (const s of key.Statement.filter((st) => st.Action === 'kms:Decrypt')) {
      expect(JSON.stringify(s.Condition)).toContain('secretsmanager.');
    }
  });
});
