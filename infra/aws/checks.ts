import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { NagPack } from 'cdk-nag';
import { AwsSolutionsChecks, HIPAASecurityChecks, ServerlessChecks } from 'cdk-nag';

/** The cdk-nag packs this app must pass: AWS Solutions, HIPAA Security and Serverless. */
export function nagPacks(scope: IConstruct): NagPack[] {
  return [
    new AwsSolutionsChecks(scope, { verbose: true }),
    new HIPAASecurityChecks(scope, { verbose: true }),
    new ServerlessChecks(scope, { verbose: true }),
  ];
}

/** Registers the packs with CDK's policy validation: any unacknowledged error fails `cdk synth`. */
export function applyNagChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}
