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
    // No `env`: the template is environment-agnostic, and the account and region are the deploying
    // credentials'. CDK_DEFAULT_REGION is no signal: the CLI sets it to us-east-1 when nothing is
    // configured, which pinned every ARN, endpoint and asset bucket to that region.
  });
  applyNagChecks(app);
  app.synth();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
