import {
  Duration,
  Validations,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_lambda_nodejs as nodejs,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KEPT } from './retention';
import type { FunctionName } from '../../functions';
import { invocationOf, sendsEmail, specOf } from '../../functions';
import type { FunctionBundle } from '../../../scripts/bundle-functions';
import { HANDLER } from '../../../scripts/bundle-functions';
import { DeadLetterQueue } from './dead-letter-queue.construct';
import { ManagedPolicyRole } from './managed-policy-role';

/** The runtime every function runs on; the bundles target the same Node.js (scripts/bundle-functions.ts). */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_22_X;

const VPC_REASON =
  'Lambda creates, describes and deletes the network interfaces of a function in a VPC with its role; these ' +
  'EC2 actions take no resource ARN (or are evaluated before the interface exists).';
const XRAY_REASON = 'X-Ray tracing (Tracing.ACTIVE): PutTraceSegments and PutTelemetryRecords take no resource ARN.';

/**
 * The only actions a function role is granted on resource "*", each with the reason; the deployment
 * contract (test/infra) fails on any other wildcard.
 */
export const WILDCARD_RESOURCE_GRANTS: Readonly<Record<string, string>> = {
  'ec2:CreateNetworkInterface': VPC_REASON,
  'ec2:DescribeNetworkInterfaces': VPC_REASON,
  'ec2:DescribeSubnets': VPC_REASON,
  'ec2:DeleteNetworkInterface': VPC_REASON,
  'ec2:AssignPrivateIpAddresses': VPC_REASON,
  'ec2:UnassignPrivateIpAddresses': VPC_REASON,
  'xray:PutTraceSegments': XRAY_REASON,
  'xray:PutTelemetryRecords': XRAY_REASON,
};

/** What every function shares: where it runs, how it logs, and the key for its logs. */
export interface FunctionDefaults {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** Powertools metrics namespace (shared/config.ts default: PalReferrals). */
  readonly metricsNamespace: string;
  /** @default 'INFO' */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Apply each function's reserved concurrency (context `reservedConcurrency`). */
  readonly reserveConcurrency: boolean;
}

export interface PalFunctionProps {
  /**
   * The function (functions/<name>/handler.ts); also its Powertools service name. Its description,
   * memory, timeout, reserved concurrency and invocation come from its manifest entry (infra/functions.ts):
   * 'async' functions (EventBridge, Scheduler) get a dead-letter queue, shared with their trigger,
   * after Lambda's own retries (2, within 6 hours); 'sync' ones (API Gateway) return the error to
   * their caller. Reserved concurrency caps a function, so a flood of it cannot starve the others.
   */
  readonly name: FunctionName;
  /** Its prebuilt bundle (scripts/bundle-functions.ts), deployed as is. */
  readonly bundle: FunctionBundle;
  readonly defaults: FunctionDefaults;
}

/**
 * One Lambda function with the project's defaults in one place: Node.js 22 on arm64 from a
 * prebuilt, minified bundle with source maps; X-Ray tracing; a KMS-encrypted log group with
 * retention; Powertools settings; the isolated VPC; reserved concurrency; and a role whose grants
 * land in a customer managed policy. Async functions get their dead-letter queue.
 */
export class PalFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: ManagedPolicyRole;
  public readonly logGroup: logs.LogGroup;
  /** Async functions only. */
  public readonly deadLetterQueue?: DeadLetterQueue;
  public readonly name: FunctionName;

  constructor(scope: Construct, id: string, props: PalFunctionProps) {
    super(scope, id);
    const d = props.defaults;
    this.name = props.name;
    const spec = specOf(props.name);
    const invocation = invocationOf(props.name);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: d.logsKey,
      retention: d.logRetention,
      removalPolicy: KEPT,
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.name} function`,
    });
    this.logGroup.grantWrite(this.role);
    // Functions that send email run outside the VPC (function-placement.ts says why).
    const inVpc = !sendsEmail(props.name);
    if (inVpc) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'VpcNetworkInterfaces',
          actions: Object.keys(WILDCARD_RESOURCE_GRANTS).filter((action) => action.startsWith('ec2:')),
          resources: ['*'],
        }),
      );
    }

    if (invocation === 'async') {
      // SSE-SQS, not the messaging key: EventBridge, Scheduler and Lambda write here (DeadLetterQueue says why).
      this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetters', {
        description: `Events ${props.name} could not be delivered or could not process`,
      });
    }

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: spec.description,
      code: lambda.Code.fromAsset(props.bundle.assetDir),
      handler: HANDLER,
      runtime: FUNCTION_RUNTIME,
      // The runtime (and the AWS SDK it provides) changes only when the function is deployed.
      runtimeManagementMode: lambda.RuntimeManagementMode.FUNCTION_UPDATE,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memorySize ?? 512,
      timeout: Duration.seconds(spec.timeoutSeconds),
      ...(d.reserveConcurrency && { reservedConcurrentExecutions: spec.reservedConcurrency }),
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      ...(inVpc && { vpc: d.vpc, vpcSubnets: d.subnets, securityGroups: [d.securityGroup] }),
      ...(this.deadLetterQueue && { deadLetterQueue: this.deadLetterQueue.queue }),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_LOG_LEVEL: d.logLevel ?? 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: d.metricsNamespace,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    const wildcardReason =
      'Resource "*" only where the service takes no resource ARN: X-Ray PutTraceSegments/PutTelemetryRecords ' +
      '(tracing) and the EC2 network-interface actions Lambda performs with the role to run in the VPC.';
    Validations.of(this.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: wildcardReason });
    const runtimeReason =
      'nodejs22.x, the runtime the project targets: its tests, local stack and bench run on the same Node 22 ' +
      '(pinned in package-lock.json). nodejs24.x is newer; move to it once the suites run on Node 24.';
    Validations.of(this.function).acknowledge({ id: 'AwsSolutions-L1', reason: runtimeReason });
    Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: runtimeReason });
    if (!inVpc) {
      Validations.of(this.function).acknowledge({
        id: 'HIPAA.Security-LambdaInsideVPC',
        reason:
          "It sends email through SES's v1 API, which the isolated VPC reaches only through an interface endpoint " +
          'not shown to serve that API in every Availability Zone (function-placement.ts); its role reaches only ' +
          "this stack's resources.",
      });
    }
    if (!d.reserveConcurrency) {
      Validations.of(this.function).acknowledge({
        id: 'HIPAA.Security-LambdaConcurrency',
        reason:
          'Reserved concurrency is off for this deployment (context reservedConcurrency): Lambda keeps 100 of the ' +
          "account's quota unreserved, so an account below 179 refuses the reservations. Scheduler and EventBridge " +
          'never run two sweeps or daily jobs at once, and their work is idempotent; the APIs keep their WAF rate limits.',
      });
    }
    if (invocation === 'sync') {
      const reason =
        'Invoked synchronously by API Gateway only: the caller receives every error, so a dead-letter queue ' +
        'would never receive a message.';
      Validations.of(this.function).acknowledge({ id: 'HIPAA.Security-LambdaDLQ', reason });
      Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaDLQ', reason });
    }
  }

  public addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
