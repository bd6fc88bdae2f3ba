import {
  CfnOutput,
  Validations,
  aws_apigateway as apigw,
  aws_certificatemanager as acm,
  aws_kms as kms,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ApiGatewayAccount } from './api-gateway-account.construct';
import type { PalFunction } from './pal-function.construct';
import { PalRestApi } from './pal-rest-api.construct';

export interface PublicLinksApiProps {
  readonly environment: string;
  /** The report-links function: /reports/{reportId}/download|upload|uploaded. */
  readonly reportLinks: PalFunction;
  /** The lead-page function: /leads/{referralId}. */
  readonly leadPage: PalFunction;
  /** The contact-confirm function: /contacts/{organizationId}/confirm. */
  readonly contactConfirm: PalFunction;
  readonly apiGatewayAccount: ApiGatewayAccount;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** The links' custom domain, with its (regional) ACM certificate. @default the execute-api URL */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  /** Stage-wide requests a second. @default 10 */
  readonly rateLimit?: number;
}

export const LINKS_STAGE = 'links';
export const REPORT_LINK_ACTIONS = ['download', 'upload', 'uploaded'] as const;

/**
 * The public API behind the links in PAL emails (PUBLIC_API_URL): the report links
 * (GET /reports/{reportId}/download|upload|uploaded), the secure lead page (GET /leads/{referralId})
 * and the lead-contact confirmation (GET /contacts/{organizationId}/confirm). No IAM or user login: organizations click the links in their mail,
 * and each handler checks the signed, expiring, scoped token before anything else. The gateway
 * requires the token parameter, throttles, and sits behind its own firewall (per-IP rate limit,
 * tokens redacted from its logs).
 */
export class PublicLinksApi extends Construct {
  public readonly restApi: PalRestApi;
  /** What organizations' links start with: the custom domain, or the stage URL. */
  public readonly publicUrl: string;

  constructor(scope: Construct, id: string, props: PublicLinksApiProps) {
    super(scope, id);
    const rate = props.rateLimit ?? 10;
    this.restApi = new PalRestApi(this, 'Rest', {
      restApiName: `pal-${props.environment}-links`,
      description: 'PAL links in emails: report download/upload and the secure lead page (token in the link)',
      stageName: LINKS_STAGE,
      apiGatewayAccount: props.apiGatewayAccount,
      defaultAuthorization: apigw.AuthorizationType.NONE,
      rateLimit: rate,
      burstLimit: 2 * rate,
      firewall: { name: `pal-${props.environment}-links`, rateLimitPer5Minutes: 300, redactQueryString: true },
      logsKey: props.logsKey,
      logRetention: props.logRetention,
    });
    const api = this.restApi.api;
    const integration = (fn: PalFunction) =>
      new apigw.LambdaIntegration(fn.function, { proxy: true, allowTestInvoke: false });
    const withToken = (pathParameter: string): apigw.MethodOptions => ({
      requestValidator: this.restApi.validator,
      requestParameters: { [`method.request.path.${pathParameter}`]: true, 'method.request.querystring.token': true },
    });
    const report = api.root.addResource('reports').addResource('{reportId}');
    const reportLinks = integration(props.reportLinks);
    for (const action of REPORT_LINK_ACTIONS) {
      report.addResource(action).addMethod('GET', reportLinks, withToken('reportId'));
    }
    // GET shows which lead and a button; its POST (same address, token included) shows the lead.
    const lead = api.root.addResource('leads').addResource('{referralId}');
    for (const method of ['GET', 'POST']) {
      lead.addMethod(method, integration(props.leadPage), withToken('referralId'));
    }
    // GET shows the Confirm button; its POST (back to the same address, token included) records it.
    const contactConfirm = api.root.addResource('contacts').addResource('{organizationId}').addResource('confirm');
    for (const method of ['GET', 'POST']) {
      contactConfirm.addMethod(method, integration(props.contactConfirm), withToken('organizationId'));
    }
    // A link without its token gets the handler's kind of page, not a JSON error.
    api.addGatewayResponse('MissingToken', {
      type: apigw.ResponseType.BAD_REQUEST_PARAMETERS,
      statusCode: '403',
      responseHeaders: { 'Content-Type': "'text/html; charset=utf-8'", 'Cache-Control': "'no-store'" },
      templates: {
        'text/html':
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>This link cannot be used — MNsure PAL</title></head>' +
          '<body><h1>This link cannot be used</h1><p>This link is not valid. Use the link in the most recent email from MNsure.</p></body></html>',
      },
    });

    if (props.customDomain) {
      const domain = api.addDomainName('Domain', {
        domainName: props.customDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
      this.publicUrl = `https://${props.customDomain.domainName}`;
      new CfnOutput(this, 'DomainTarget', {
        description: `Point ${props.customDomain.domainName} (CNAME or alias) here`,
        value: domain.domainNameAliasDomainName,
      });
    } else {
      // Built from the API id, not the stage: the functions' environment takes this URL, and the
      // stage depends on their permissions, so referencing the stage would make a cycle.
      this.publicUrl = this.restApi.urlWithoutStageReference(LINKS_STAGE);
    }

    const reason =
      'Public by design: organizations open these links from email without an AWS identity or a user account. ' +
      'Each request carries a signed, expiring token scoped to one report, lead or contact, verified before any data access; ' +
      'the stage is throttled and firewalled per IP.';
    Validations.of(api).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    Validations.of(api).acknowledge({ id: 'AwsSolutions-COG4', reason });

    new CfnOutput(this, 'Url', { description: 'Public links base URL (PUBLIC_API_URL)', value: this.publicUrl });
  }
}
