import { Validations, aws_apigateway as apigw, aws_iam as iam, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KEPT } from './retention';
import type { ApiFirewallProps } from './api-firewall.construct';
import { ApiFirewall } from './api-firewall.construct';
import type { ApiGatewayAccount } from './api-gateway-account.construct';

export interface PalRestApiProps {
  readonly restApiName: string;
  readonly description: string;
  readonly stageName: string;
  /** The region's API Gateway logging role: stages are created after it. */
  readonly apiGatewayAccount: ApiGatewayAccount;
  /** How every method is authorized unless it says otherwise. */
  readonly defaultAuthorization: apigw.AuthorizationType;
  /** Stage-wide throttling (requests a second, and burst). */
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** Per-method throttling, by '/resource/path/METHOD'. @default stage-wide only */
  readonly methodThrottling?: Record<string, { readonly rateLimit: number; readonly burstLimit: number }>;
  /** Resource policy. @default none */
  readonly policy?: iam.PolicyDocument;
  /** Media types passed to and from the functions as binary (base64). @default none */
  readonly binaryMediaTypes?: string[];
  /** The stage's WAF web ACL. */
  readonly firewall: Omit<ApiFirewallProps, 'logsKey' | 'logRetention'>;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Access log line of every request: who, what route, what answer, how long. No request or response
 * body, no query string (report links carry their token there), no raw path (it carries ids).
 */
const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    extendedRequestId: '$context.extendedRequestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    caller: '$context.identity.userArn',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    resourcePath: '$context.resourcePath',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integration.latency',
    integrationStatus: '$context.integration.status',
    wafResponseCode: '$context.wafResponseCode',
    errorType: '$context.error.responseType',
    xrayTraceId: '$context.xrayTraceId',
  }),
);

/**
 * A regional REST API with the project's defaults: one stage with JSON access logs (encrypted,
 * retained for the log retention), execution logs at ERROR without data tracing (it would log
 * bodies: consumer PII), X-Ray, stage-wide throttling, a request validator for bodies and
 * parameters, and its own WAF web ACL.
 */
export class PalRestApi extends Construct {
  public readonly api: apigw.RestApi;
  public readonly validator: apigw.RequestValidator;
  public readonly firewall: ApiFirewall;
  public readonly accessLogs: logs.LogGroup;
  public readonly executionLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PalRestApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      removalPolicy: KEPT,
    });

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: props.description,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: false,
      ...(props.policy && { policy: props.policy }),
      ...(props.binaryMediaTypes && { binaryMediaTypes: props.binaryMediaTypes }),
      defaultMethodOptions: { authorizationType: props.defaultAuthorization },
      deployOptions: {
        stageName: props.stageName,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        methodOptions: Object.fromEntries(
          Object.entries(props.methodThrottling ?? {}).map(([path, t]) => [
            path,
            { throttlingRateLimit: t.rateLimit, throttlingBurstLimit: t.burstLimit },
          ]),
        ),
      },
    });

    // API Gateway would create the execution log group itself, unencrypted and kept forever: own it first.
    this.executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${props.stageName}`,
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      removalPolicy: KEPT,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs, props.apiGatewayAccount.account);

    this.validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    this.firewall = new ApiFirewall(this, 'Firewall', {
      ...props.firewall,
      logsKey: props.logsKey,
      logRetention: props.logRetention,
    });
    this.firewall.protect(this.api.deploymentStage.stageArn);

    const stage = this.api.deploymentStage;
    Validations.of(stage).acknowledge({
      id: 'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
      reason:
        'No stage cache: responses are per-request (referral status, signed one-time redirects), and caching ' +
        'them would keep consumer data in one more place and could serve a stale status.',
    });
    Validations.of(stage).acknowledge({
      id: 'HIPAA.Security-APIGWSSLEnabled',
      reason:
        'Client certificates authenticate API Gateway to HTTP back ends; every integration here is a Lambda proxy ' +
        'invoked through IAM, so a certificate would authenticate nothing. Clients reach the API over TLS only.',
    });
  }

  /** The base URL of the stage, built without referencing the stage (Lambda env vars would cycle). */
  public urlWithoutStageReference(stageName: string): string {
    return `https://${this.api.restApiId}.execute-api.${this.api.env.region}.${this.api.stack.urlSuffix}/${stageName}`;
  }
}
