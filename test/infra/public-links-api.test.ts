import type { FunctionName } from '../../scripts/bundle-functions';
import { LINKS_STAGE } from '../../infra/aws/constructs/public-links-api.construct';
import type { PalSynth } from './support/pal-app';
import { synthPal } from './support/pal-app';
import { flat, resourcesOfType } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

/** The methods of the links API as 'VERB /path' → method properties. */
function routes(s: PalSynth): Record<string, Record<string, unknown>> {
  const apiRef = `<${s.idOf(s.stack.linksApi.restApi.api)}>`;
  const resources = Object.fromEntries(
    resourcesOfType(s, 'AWS::ApiGateway::Resource').filter(([, p]) => flat(p.RestApiId) === apiRef),
  );
  const pathOf = (id: string): string => {
    const r = resources[id];
    return r ? `${pathOf(flat(r.ParentId).replace(/^<|(\.RootResourceId)?>$/g, ''))}/${r.PathPart as string}` : '';
  };
  return Object.fromEntries(
    resourcesOfType(s, 'AWS::ApiGateway::Method')
      .filter(([, p]) => flat(p.RestApiId) === apiRef)
      .map(([, p]) => [`${p.HttpMethod as string} ${pathOf(flat(p.ResourceId).replace(/^<|>$/g, ''))}`, p]),
  );
}

const env = (s: PalSynth, name: FunctionName) =>
  (
    s.resources[s.idOf(s.stack.functions.functions[name].function)]!.Properties!.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;

describe('PublicLinksApi', () => {
  test('serves the report links, the lead page and the contact confirmation, each to its function', () => {
    const r = routes(synth);
    expect(Object.keys(r).sort()).toEqual([
      'GET /contacts/{organizationId}/confirm',
      'GET /leads/{referralId}',
      'GET /reports/{reportId}/download',
      'GET /reports/{reportId}/upload',
      'GET /reports/{reportId}/uploaded',
      'POST /contacts/{organizationId}/confirm',
      'POST /leads/{referralId}',
    ]);
    const fnId = (name: FunctionName) => synth.idOf(synth.stack.functions.functions[name].function);
    for (const method of ['GET', 'POST']) {
      expect(JSON.stringify(r[`${method} /leads/{referralId}`]!.Integration)).toContain(fnId('lead-page'));
    }
    for (const method of ['GET', 'POST']) {
      expect(JSON.stringify(r[`${method} /contacts/{organizationId}/confirm`]!.Integration)).toContain(
        fnId('contact-confirm'),
      );
    }
    for (const action of ['download', 'upload', 'uploaded']) {
      expect(JSON.stringify(r[`GET /reports/{reportId}/${action}`]!.Integration)).toContain(fnId('report-links'));
    }
  });

  test('is public by design (the handlers check the token), and every route requires the token parameter', () => {
    for (const [route, method] of Object.entries(routes(synth))) {
      expect([route, method.AuthorizationType]).toEqual([route, 'NONE']);
      expect(method.RequestParameters).toMatchObject({ 'method.request.querystring.token': true });
      expect(method.RequestValidatorId).toBeDefined();
    }
    synth.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      RestApiId: { Ref: synth.idOf(synth.stack.linksApi.restApi.api) },
      ResponseType: 'BAD_REQUEST_PARAMETERS',
      StatusCode: '403',
    });
  });

  test('throttled, traced, logged without query strings (the tokens), behind a firewall that redacts them', () => {
    const api = synth.stack.linksApi.restApi;
    const stage = synth.resources[synth.idOf(api.api.deploymentStage)]!.Properties!;
    expect(stage.StageName).toBe(LINKS_STAGE);
    expect(stage.TracingEnabled).toBe(true);
    expect(stage.MethodSettings).toContainEqual(
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 10,
        ThrottlingBurstLimit: 20,
        DataTraceEnabled: false,
      }),
    );
    expect((stage.AccessLogSetting as { Format: string }).Format).not.toMatch(/querystring|\$context\.path|\$input/i);
    const acl = synth.resources[synth.idOf(api.firewall.webAcl)]!.Properties!;
    expect(acl.Rules).toContainEqual(
      expect.objectContaining({
        Name: 'RateLimitPerIp',
        Statement: { RateBasedStatement: { Limit: 300, AggregateKeyType: 'IP' } },
      }),
    );
    const [[, logging]] = resourcesOfType(synth, 'AWS::WAFv2::LoggingConfiguration').filter(
      ([, p]) => flat(p.ResourceArn) === `<${synth.idOf(api.firewall.webAcl)}.Arn>`,
    ) as [[string, { RedactedFields: unknown[] }]];
    expect(logging.RedactedFields).toContainEqual({ QueryString: {} });
  });

  test('PUBLIC_API_URL is the stage URL, built from the API id (not the stage: that would be a cycle)', () => {
    const url = `https://<${synth.idOf(synth.stack.linksApi.restApi.api)}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/${LINKS_STAGE}`;
    const writers = [
      'route-referral',
      'ses-feedback',
      'contact-confirmations',
      'admin-api',
      'report-send',
      'report-due',
    ] as const;
    for (const name of [...writers, 'report-ingest', 'report-links'] as const) {
      expect(flat(env(synth, name).PUBLIC_API_URL)).toBe(url);
    }
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const [, output] = Object.entries(outputs).find(([k]) => k.startsWith('LinksApiUrl'))!;
    expect(flat(output.Value)).toBe(url);
  });
});

describe('PublicLinksApi on a custom domain (context reportLinksDomain)', () => {
  let custom: PalSynth;
  beforeAll(async () => {
    custom = await synthPal({
      reportLinksDomain: 'links.pal.mnsure.example.org',
      reportLinksCertificateArn: 'arn:aws:acm:us-east-2:111122223333:certificate/00000000-0000-0000-0000-000000000000',
    });
  });

  test('the links use the domain, mapped to the stage with TLS 1.2', () => {
    expect(env(custom, 'report-send').PUBLIC_API_URL).toBe('https://links.pal.mnsure.example.org');
    expect(env(custom, 'route-referral').PUBLIC_API_URL).toBe('https://links.pal.mnsure.example.org');
    custom.template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'links.pal.mnsure.example.org',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    custom.template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
  });
});
