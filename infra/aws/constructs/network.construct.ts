import { Aws, aws_ec2 as ec2, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface NetworkProps {
  /** Where VPC flow logs go (the log archive). */
  readonly flowLogsBucket: s3.IBucket;
  /** Prefix of the flow logs in that bucket. */
  readonly flowLogsPrefix: string;
  /** Availability zones the functions' subnets span. @default 2 */
  readonly maxAzs?: number;
}

/**
 * Where the functions run: a VPC with isolated subnets only (no internet gateway, no NAT), reaching
 * AWS through VPC endpoints. The functions parse files and mail from outside (returned
 * spreadsheets, inbound email); were a parser ever exploited, there is no route out to the internet,
 * and the S3 and DynamoDB endpoints only reach this account's buckets and tables.
 */
export class Network extends Construct {
  public readonly vpc: ec2.Vpc;
  /** The functions' security group: HTTPS out (to the endpoints, the only destinations routed). */
  public readonly functionsSecurityGroup: ec2.SecurityGroup;
  public readonly functionSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: props.maxAzs ?? 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'functions', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      restrictDefaultSecurityGroup: true,
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toS3(props.flowLogsBucket, props.flowLogsPrefix),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });

    this.functionsSecurityGroup = new ec2.SecurityGroup(this, 'Functions', {
      vpc: this.vpc,
      description: 'PAL functions: HTTPS to the VPC endpoints only',
      allowAllOutbound: false,
    });
    // Isolated subnets route only to the VPC and the gateway endpoints, so 443 anywhere reaches AWS alone.
    this.functionsSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS endpoints');

    const endpointsSecurityGroup = new ec2.SecurityGroup(this, 'Endpoints', {
      vpc: this.vpc,
      description: 'PAL interface endpoints: HTTPS from the functions',
      allowAllOutbound: false,
    });
    endpointsSecurityGroup.addIngressRule(this.functionsSecurityGroup, ec2.Port.tcp(443), 'HTTPS from the functions');

    // Gateway endpoints: only this account's buckets and tables, so no data leaves to another account's.
    const ownAccountOnly = new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:ResourceAccount': Aws.ACCOUNT_ID } },
    });
    for (const [name, service] of [
      ['S3', ec2.GatewayVpcEndpointAwsService.S3],
      ['DynamoDB', ec2.GatewayVpcEndpointAwsService.DYNAMODB],
    ] as const) {
      const endpoint = this.vpc.addGatewayEndpoint(name, { service, subnets: [this.functionSubnets] });
      endpoint.addToPolicy(ownAccountOnly);
    }

    // Interface endpoints for the other APIs the functions in the VPC call. No SES endpoint: the
    // functions that send email run outside the VPC (function-placement.ts says why).
    for (const [name, service] of [
      ['EventBridge', ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE],
      ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
      ['XRay', ec2.InterfaceVpcEndpointAwsService.XRAY],
    ] as const) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        subnets: this.functionSubnets,
        securityGroups: [endpointsSecurityGroup],
        privateDnsEnabled: true,
        open: false,
      });
    }
  }
}
