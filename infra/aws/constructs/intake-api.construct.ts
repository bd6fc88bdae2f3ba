import {
  CfnOutput,
  Validations,
  aws_apigateway as apigw,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GATEWAY_MAX_BYTES, NOT_JSON, THROTTLED, tooLargeProblem } from '../../../shared/api/http/gateway-refusals';
import { PROBLEM_CONTENT_TYPE, problemBody } from '../../../shared/api/http/problem';
import { MAX_REFERRAL_BODY_BYTES } from '../../../shared/domain/referral-request.schema';
import { nagResource } from './nag-finding';
import type { ApiGatewayAccount } from './api-gateway-account.construct';
import type { PalFunction } from './pal-function.construct';
import { PalRestApi } from './pal-rest-api.construct';

export interface IntakeApiProps {
  readonly environment: string;
  /** The intake-api function. */
  readonly handler: PalFunction;
  /** The admin-api function: every method under /admin. */
  readonly adminHandler: PalFunction;
  readonly apiGatewayAccount: ApiGatewayAccount;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** The CRM's principal in another account, let in by the API's resource policy. @default same account */
  readonly crmPrincipalArn?: string;
  /** The CRM's egress CIDRs; all other sources are blocked at the firewall. @default any source */
  readonly crmSourceCidrs?: readonly string[];
  /** Stage-wide requests a second. @default 25 */
  readonly rateLimit?: number;
  /** Referrals a second the CRM may post (burst twice that). @default 10 */
  readonly postRateLimit?: number;
}

export const INTAKE_STAGE = 'v1';
const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The routes the CRM calls; the admin policy has the ops routes under /admin (admin-api) instead of POST. */
export const CRM_ROUTES = [
  { method: 'POST', path: '/referrals' },
  { method: 'GET', path: '/referrals/*' },
  { method: 'GET', path: '/openapi.json' },
] as const;
export const ADMIN_ROUTES = [
  { method: 'GET', path: '/referrals/*' },
  { method: 'GET', path: '/openapi.json' },
  { method: '*', path: '/admin/*' },
] as const;

/**
 * The intake API the contact-center CRM calls, and ops' admin API under /admin: every route
 * authorized with IAM (SigV4), the CRM and ops each through their own managed policy; the body checked to be a JSON object at the gateway
 * (the handler names every bad field) and refused over 64 KiB at the firewall; throttled per stage
 * and on POST; access logs without bodies.
 */
export class IntakeApi extends Construct {
  public readonly restApi: PalRestApi;
  /** Attach to the CRM's role: invoke the CRM routes. */
  public readonly crmInvokePolicy: iam.ManagedPolicy;
  /** Attach to ops' roles (the pal CLI, admin tools): the status and admin routes. */
  public readonly adminInvokePolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: IntakeApiProps) {
    super(scope, id);
    const postRate = props.postRateLimit ?? 10;
    this.restApi = new PalRestApi(this, 'Rest', {
      restApiName: `pal-${props.environment}-intake`,
      description: 'PAL referrals intake: the contact-center CRM posts referrals (SigV4)',
      stageName: INTAKE_STAGE,
      apiGatewayAccount: props.apiGatewayAccount,
      defaultAuthorization: apigw.AuthorizationType.IAM,
      rateLimit: props.rateLimit ?? 25,
      burstLimit: 2 * (props.rateLimit ?? 25),
      methodThrottling: { '/referrals/POST': { rateLimit: postRate, burstLimit: 2 * postRate } },
      ...(props.crmPrincipalArn && { policy: crmResourcePolicy(props.crmPrincipalArn) }),
      // The admin API imports and exports directory spreadsheets.
      binaryMediaTypes: [XLSX_MEDIA_TYPE],
      firewall: {
        name: `pal-${props.environment}-intake`,
        rateLimitPer5Minutes: 3000,
        maxBodyBytes: MAX_REFERRAL_BODY_BYTES,
        // Referral bodies only: an admin's directory import may be larger.
        maxBodyPathSuffix: '/referrals',
        countBodyRules: true,
        ...(props.crmSourceCidrs && { allowedSourceCidrs: props.crmSourceCidrs }),
      },
      logsKey: props.logsKey,
      logRetention: props.logRetention,
    });
    const api = this.restApi.api;
    const integration = new apigw.LambdaIntegration(props.handler.function, { proxy: true, allowTestInvoke: false });
    const validated = { requestValidator: this.restApi.validator };

    const referralBody = api.addModel('ReferralBody', {
      contentType: 'application/json',
      modelName: 'ReferralBody',
      description: 'A JSON object; the handler validates every field and names each bad one (422)',
      schema: { schema: apigw.JsonSchemaVersion.DRAFT4, title: 'ReferralBody', type: apigw.JsonSchemaType.OBJECT },
    });
    const referrals = api.root.addResource('referrals');
    referrals.addMethod('POST', integration, { ...validated, requestModels: { 'application/json': referralBody } });
    referrals
      .addResource('{referralId}')
      .addMethod('GET', integration, { ...validated, requestParameters: { 'method.request.path.referralId': true } });
    api.root.addResource('openapi.json').addMethod('GET', integration);
    api.root.addResource('admin').addProxy({
      anyMethod: true,
      defaultIntegration: new apigw.LambdaIntegration(props.adminHandler.function, {
        proxy: true,
        allowTestInvoke: false,
      }),
      defaultMethodOptions: { ...validated, requestParameters: { 'method.request.path.proxy': true } },
    });

    // The gateway's own refusals as the handler's RFC 9457 problems (shared/api/http/gateway-refusals.ts).
    const refusal = (type: apigw.ResponseType, body: Record<string, unknown>) => ({
      type,
      statusCode: String(body.status),
      responseHeaders: { 'Content-Type': `'${PROBLEM_CONTENT_TYPE}'` },
      // API Gateway picks a template by the request's content type; application/json is its default.
      templates: { 'application/json': JSON.stringify(body) },
    });
    api.addGatewayResponse('BadRequestBody', refusal(apigw.ResponseType.BAD_REQUEST_BODY, problemBody(NOT_JSON)));
    api.addGatewayResponse('Throttled', refusal(apigw.ResponseType.THROTTLED, problemBody(THROTTLED)));
    api.addGatewayResponse(
      'RequestTooLarge',
      refusal(apigw.ResponseType.REQUEST_TOO_LARGE, tooLargeProblem(GATEWAY_MAX_BYTES)),
    );

    const invokePolicy = (name: string, description: string, routes: readonly { method: string; path: string }[]) => {
      const policy = new iam.ManagedPolicy(this, name, {
        description,
        statements: [
          new iam.PolicyStatement({
            actions: ['execute-api:Invoke'],
            resources: routes.map((r) => api.arnForExecuteApi(r.method, r.path, INTAKE_STAGE)),
          }),
        ],
      });
      for (const route of routes.filter((r) => `${r.method}${r.path}`.includes('*'))) {
        const arn = api.arnForExecuteApi(route.method, route.path, INTAKE_STAGE);
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagResource(this, arn)}]`,
          reason:
            route.path === '/admin/*'
              ? 'Every method of the admin routes (ops only; the CRM policy does not include them).'
              : 'The referral id is a path parameter: one route, any referral.',
        });
      }
      return policy;
    };
    this.crmInvokePolicy = invokePolicy('CrmInvoke', 'PAL intake: the CRM posts and reads referrals', CRM_ROUTES);
    this.adminInvokePolicy = invokePolicy(
      'AdminInvoke',
      'PAL intake: ops reads referral status and calls the admin routes',
      ADMIN_ROUTES,
    );

    Validations.of(api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Every method uses IAM (SigV4) authorization: the caller is the CRM system and ops roles, not user-pool users.',
    });

    new CfnOutput(this, 'CrmInvokePolicyArn', {
      description: "Attach to the CRM's IAM principal",
      value: this.crmInvokePolicy.managedPolicyArn,
    });
    new CfnOutput(this, 'AdminInvokePolicyArn', {
      description: "Attach to ops' IAM principals",
      value: this.adminInvokePolicy.managedPolicyArn,
    });
  }
}

/** A CRM in another account needs the API's own consent beside its IAM policy. */
function crmResourcePolicy(principalArn: string): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        principals: [new iam.ArnPrincipal(principalArn)],
        actions: ['execute-api:Invoke'],
        resources: CRM_ROUTES.map((r) => `execute-api:/${INTAKE_STAGE}/${r.method}${r.path}`),
      }),
    ],
  });
}
