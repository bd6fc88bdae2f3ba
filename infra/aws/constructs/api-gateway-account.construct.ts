import { Validations, aws_apigateway as apigw, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KEPT } from './retention';

/**
 * The region-wide API Gateway setting that lets stages write execution logs: the CloudWatch role.
 * Set once here (instead of once per RestApi, which would make two stacks' APIs fight over it) and
 * retained, as other APIs in the account may rely on it.
 */
export class ApiGatewayAccount extends Construct {
  public readonly role: iam.Role;
  public readonly account: apigw.CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new iam.Role(this, 'CloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway writes execution logs to CloudWatch (account-wide setting)',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      ],
    });
    this.role.applyRemovalPolicy(KEPT);
    this.account = new apigw.CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
    this.account.applyRemovalPolicy(KEPT);

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "The account-wide API Gateway logging role: every REST API in the region logs through it, so it carries AWS's " +
        'AmazonAPIGatewayPushToCloudWatchLogs rather than a policy scoped to these two APIs; only API Gateway assumes it.',
    });
  }
}
