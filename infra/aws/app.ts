/**
 * The CDK app (cdk.json runs it with tsx): bundles the functions with the configured reporting
 * calendar, builds the stack for the environment named in context, and applies the cdk-nag packs.
 * Synthesizes offline, without AWS credentials.
 */
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { bundleFunctions } from '../../scripts/bundle-functions';
import { applyNagChecks } from './checks';
import { loadDeployConfig, REPO_ROOT } from './config';
import { PalStack } from './pal-stack';

async function main(): Promise<void> {
  const app = new App();
  const config = loadDeployConfig(app.node);
  const bundles = await bundleFunctions({
    outDir: join(REPO_ROOT, 'dist', 'functions', config.environment),
    calendarFile: config.calendarPath,
  });
  new PalStack(app, `PalReferrals-${config.environment}`, {
    config,
    bundles,
    description: `MNsure PAL referrals back end (${config.environment})`,
    // Account and region come from the deploying credentials; without them the template is environment-agnostic.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  applyNagChecks(app);
  app.synth();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
