import { aws_iam as iam } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * An IAM role whose granted permissions land in one customer managed policy of its own instead of
 * the inline `DefaultPolicy` CDK would create (HIPAA Security: no inline policies). `grant*` methods
 * work unchanged: they call addToPrincipalPolicy, and every statement keeps its narrow resources.
 */
export class ManagedPolicyRole extends iam.Role {
  private policy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
  }

  /** The role's managed policy, once a grant has created it. */
  public get grantsPolicy(): iam.ManagedPolicy | undefined {
    return this.policy;
  }

  public override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy ??= new iam.ManagedPolicy(this, 'Grants', {
      description: `Permissions of ${this.node.path}, granted by the CDK app`,
      roles: [this],
    });
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}
