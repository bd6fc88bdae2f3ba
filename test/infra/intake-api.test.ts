import { ADMIN_ROUTES, CRM_ROUTES, INTAKE_STAGE } from '../../infra/aws/constructs/intake-api.construct';
import { MAX_REFERRAL_BODY_BYTES } from '../../shared/domain/referral-request.schema';
import type { PalSynth } from './support/pal-app';
import { cdkJsonContext, synthPal } from './support/pal-app';
import { flat, resourcesOfType } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

const apiId = () => synth.idOf(synth.stack.intakeApi.restApi.api);
const ofApi = (type: string) =>
  resourcesOfType(synth, type)
    .filter(([, p]) => flat(p.RestApiId) === `<${apiId()}>`)
    .map(([id, p]) => ({ id, p }));
const stage = () => ofApi('AWS::ApiGateway::Stage')[0]!.p;
/** Each method as 'VERB /path', from the resource tree of the template. */
function routes(): Record<string, Record<string, unknown>> {
  const paths: Record<string, string> = {};
  const resources = Object.fromEntries(ofApi('AWS::ApiGateway::Resource').map(({ id, p }) => [id, p]));
  const pathOf = (ref: string): string => {
    if (paths[ref]) return paths[ref]!;
    const r = resources[ref];
    if (!r) return '';
    return (paths[ref] =
      `${pathOf(flat(r.ParentId).replace(/^<|(\.RootResourceId)?>$/g, ''))}/${r.PathPart as string}`);
  };
  return Object.fromEntries(
    ofApi('AWS::ApiGateway::Method').map(({ p }) => [
      `${p.HttpMethod as string} ${pathOf(flat(p.ResourceId).replace(/^<|>$/g, '')) || '/'}`,
      p,
    ]),
  );
}

describe('IntakeApi', () => {
  test('serves the intake routes to intake-api, and every method under /admin to admin-api', () => {
    expect(Object.keys(routes()).sort()).toEqual([
      'ANY /admin/{proxy+}',
      'GET /openapi.json',
      'GET /referrals/{referralId}',
      'POST /referrals',
    ]);
    const fnId = (name: 'intake-api' | 'admin-api') => synth.idOf(synth.stack.functions.functions[name].function);
    for (const [route, method] of Object.entries(routes())) {
      expect((method.Integration as { Type: string }).Type).toBe('AWS_PROXY');
      expect(JSON.stringify(method.Integration)).toContain(fnId(route.includes('/admin') ? 'admin-api' : 'intake-api'));
    }
    // Directory spreadsheets in and out of the admin API pass as binary.
    expect(synth.resources[apiId()]!.Properties!.BinaryMediaTypes).toEqual([
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ]);
  });

  test('every route requires IAM (SigV4) authorization', () => {
    for (const [route, method] of Object.entries(routes())) {
      expect([route, method.AuthorizationType]).toEqual([route, 'AWS_IAM']);
    }
  });

  test('POST /referrals: the body must be a JSON object (the handler names each bad field)', () => {
    const post = routes()['POST /referrals']!;
    const validator = ofApi('AWS::ApiGateway::RequestValidator')[0]!;
    expect(validator.p).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: true });
    expect(flat(post.RequestValidatorId)).toBe(`<${validator.id}>`);
    const model = ofApi('AWS::ApiGateway::Model')[0]!;
    expect(post.RequestModels).toEqual({ 'application/json': { Ref: model.id } });
    expect(model.p.Schema).toMatchObject({ type: 'object' });
    expect(routes()['GET /referrals/{referralId}']!.RequestParameters).toEqual({
      'method.request.path.referralId': true,
    });
  });

  test("the gateway's own refusals answer as the handler's problems (application/problem+json)", () => {
    synth.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      RestApiId: { Ref: apiId() },
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
    });
    const [badBody] = ofApi('AWS::ApiGateway::GatewayResponse').filter(
      ({ p }) => p.ResponseType === 'BAD_REQUEST_BODY',
    );
    const body = JSON.parse((badBody!.p.ResponseTemplates as Record<string, string>)['application/json']!) as object;
    expect(body).toMatchObject({
      type: 'https://pal.example.org/problems/invalid-referral',
      status: 400,
      issues: [{ field: 'body', rule: 'json' }],
    });
    expect(badBody!.p.ResponseParameters).toEqual({
      'gatewayresponse.header.Content-Type': "'application/problem+json'",
    });
    const [tooLarge] = ofApi('AWS::ApiGateway::GatewayResponse').filter(
      ({ p }) => p.ResponseType === 'REQUEST_TOO_LARGE',
    );
    expect(tooLarge!.p.StatusCode).toBe('413');
    expect(
      JSON.parse((tooLarge!.p.ResponseTemplates as Record<string, string>)['application/json']!) as object,
    ).toMatchObject({
      type: 'https://pal.example.org/problems/too-large',
      issues: [{ field: 'body', rule: 'max-bytes' }],
    });
  });

  test('throttled per stage, and POST /referrals on its own', () => {
    const settings = stage().MethodSettings as Record<string, unknown>[];
    expect(settings).toContainEqual(
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 25,
        ThrottlingBurstLimit: 50,
      }),
    );
    expect(settings).toContainEqual(
      expect.objectContaining({
        HttpMethod: 'POST',
        ResourcePath: '/~1referrals',
        ThrottlingRateLimit: 10,
        ThrottlingBurstLimit: 20,
      }),
    );
  });

  test('access logs as JSON without bodies, query strings or raw paths; execution logs without data tracing', () => {
    const s = stage();
    const format = (s.AccessLogSetting as { Format: string }).Format;
    expect(JSON.parse(format)).toMatchObject({
      requestId: '$context.requestId',
      resourcePath: '$context.resourcePath',
    });
    expect(format).not.toMatch(/\$input|requestOverride|responseOverride|\$context\.path|querystring/i);
    for (const setting of s.MethodSettings as Record<string, unknown>[]) {
      if (setting.ResourcePath === '/*') {
        expect(setting).toMatchObject({ DataTraceEnabled: false, LoggingLevel: 'ERROR', MetricsEnabled: true });
      }
    }
    expect(s.TracingEnabled).toBe(true);
    expect(s.StageName).toBe(INTAKE_STAGE);
    expect(s.CacheClusterEnabled).toBeUndefined();
  });

  test('its log groups (access and execution) are encrypted with the logs key and expire', () => {
    const logsKey = `<${synth.idOf(synth.stack.encryption.logsKey)}.Arn>`;
    const rest = synth.stack.intakeApi.restApi;
    for (const group of [rest.accessLogs, rest.executionLogs]) {
      const p = synth.resources[synth.idOf(group)]!.Properties!;
      expect(flat(p.KmsKeyId)).toBe(logsKey);
      expect(p.RetentionInDays).toBe(cdkJsonContext().logRetentionDays);
    }
    expect(flat(synth.resources[synth.idOf(rest.executionLogs)]!.Properties!.LogGroupName)).toBe(
      `API-Gateway-Execution-Logs_<${apiId()}>/${INTAKE_STAGE}`,
    );
  });

  test('the CRM and ops invoke through separate managed policies, each naming its routes', () => {
    const resourcesOf = (policy: typeof synth.stack.intakeApi.crmInvokePolicy) => {
      const doc = synth.resources[synth.idOf(policy)]!.Properties!.PolicyDocument as {
        Statement: { Action: string; Resource: unknown[] }[];
      };
      expect(doc.Statement.map((s) => s.Action)).toEqual(['execute-api:Invoke']);
      return doc.Statement[0]!.Resource.map(flat).map((arn) => arn.replace(/^.*:<[^>]+>\//, ''));
    };
    expect(resourcesOf(synth.stack.intakeApi.crmInvokePolicy).sort()).toEqual(
      CRM_ROUTES.map((r) => `${INTAKE_STAGE}/${r.method}${r.path}`).sort(),
    );
    expect(resourcesOf(synth.stack.intakeApi.adminInvokePolicy).sort()).toEqual(
      ADMIN_ROUTES.map((r) => `${INTAKE_STAGE}/${r.method}${r.path}`).sort(),
    );
    // The CRM cannot reach the admin routes.
    expect(CRM_ROUTES.some((r) => r.path.startsWith('/admin'))).toBe(false);
  });

  test('the stage is behind a regional WAF: size limit, rate limit, managed rules, logs without credentials', () => {
    const firewall = synth.stack.intakeApi.restApi.firewall;
    const acl = synth.resources[synth.idOf(firewall.webAcl)]!.Properties!;
    expect(acl.Scope).toBe('REGIONAL');
    const rules = acl.Rules as { Name: string; Statement: Record<string, unknown>; Action?: unknown }[];
    expect(rules.map((r) => r.Name)).toEqual([
      'RateLimitPerIp',
      'BodyTooLarge',
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesCommonRuleSet',
    ]);
    // Bodies over 64 KiB refused with 413 on POST /referrals (an admin's directory import may be larger).
    expect(rules.find((r) => r.Name === 'BodyTooLarge')).toMatchObject({
      Action: { Block: { CustomResponse: { ResponseCode: 413 } } },
      Statement: {
        AndStatement: {
          Statements: [
            { SizeConstraintStatement: { ComparisonOperator: 'GT', Size: MAX_REFERRAL_BODY_BYTES } },
            { ByteMatchStatement: { PositionalConstraint: 'ENDS_WITH', SearchString: '/referrals' } },
          ],
        },
      },
    });
    expect(acl.AssociationConfig).toEqual({ RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } } });
    // Body rules only count: a false positive on the CRM's free text would lose a referral.
    const common = rules.find((r) => r.Name === 'AWSManagedRulesCommonRuleSet')!;
    expect(JSON.stringify(common.Statement)).toContain('CrossSiteScripting_BODY');
    synth.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: { 'Fn::GetAtt': [synth.idOf(firewall.webAcl), 'Arn'] },
    });
    const [[, logging]] = resourcesOfType(synth, 'AWS::WAFv2::LoggingConfiguration').filter(
      ([, p]) => flat(p.ResourceArn) === `<${synth.idOf(firewall.webAcl)}.Arn>`,
    ) as [[string, { RedactedFields: unknown[] }]];
    expect(logging.RedactedFields).toEqual([
      { SingleHeader: { Name: 'authorization' } },
      { SingleHeader: { Name: 'x-amz-security-token' } },
    ]);
  });

  test('stages log through one account-wide CloudWatch role, set before them', () => {
    expect(resourcesOfType(synth, 'AWS::ApiGateway::Account')).toHaveLength(1);
    const stageResource = Object.values(synth.resources).find(
      (r) => r.Type === 'AWS::ApiGateway::Stage' && flat(r.Properties!.RestApiId) === `<${apiId()}>`,
    )!;
    expect(stageResource.DependsOn).toEqual(
      expect.arrayContaining([
        synth.idOf(synth.stack.intakeApi.restApi.executionLogs),
        expect.stringMatching(/^ApiGatewayAccount/),
      ]),
    );
  });
});

describe('IntakeApi with a CRM in another account and known egress addresses', () => {
  let other: PalSynth;
  beforeAll(async () => {
    other = await synthPal({
      crmPrincipalArn: 'arn:aws:iam::111122223333:role/crm-integration',
      crmSourceCidrs: ['198.51.100.0/24'],
    });
  });

  test("the API's resource policy lets that principal call the CRM routes only", () => {
    const api = other.resources[other.idOf(other.stack.intakeApi.restApi.api)]!.Properties!;
    expect((api.Policy as { Statement: { Resource: unknown[] }[] }).Statement[0]!.Resource).toHaveLength(
      CRM_ROUTES.length,
    );
    expect(api.Policy).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:role/crm-integration' },
          Action: 'execute-api:Invoke',
          Resource: expect.arrayContaining(CRM_ROUTES.map((r) => `execute-api:/${INTAKE_STAGE}/${r.method}${r.path}`)),
        },
      ],
    });
  });

  test('the firewall blocks every other source first', () => {
    const acl = other.resources[other.idOf(other.stack.intakeApi.restApi.firewall.webAcl)]!.Properties!;
    const [first] = acl.Rules as { Name: string; Priority: number; Statement: unknown }[];
    expect(first).toMatchObject({ Name: 'BlockOtherSources', Priority: 0 });
    other.template.hasResourceProperties('AWS::WAFv2::IPSet', { Addresses: ['198.51.100.0/24'] });
  });
});
