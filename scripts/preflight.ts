/**
 * Deploy preflight: read-only checks, in the account and region about to be deployed to, of what
 * the first deploy needs (Lambda concurrency, SES production access and domain, the active receipt
 * rule set, the CDK bootstrap). Reads the synthesized template, so run `npx cdk synth` first with
 * the same `-c` values.
 *
 *   npm run preflight -- --profile P [--region R] [-c key=value ...] [--template cdk.out/PalReferrals-<env>.template.json]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { loadDeployConfig, REPO_ROOT } from '../infra/aws/config';
import type { PreflightExpectations } from '../infra/aws/preflight/checks';
import type { SynthesizedTemplate } from '../infra/aws/preflight/checks';
import { formatChecks, preflightChecks, templateNeeds } from '../infra/aws/preflight/checks';
import { preflightClients, readPreflightFacts } from '../infra/aws/preflight/preflight-facts';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string' },
      region: { type: 'string' },
      context: { type: 'string', short: 'c', multiple: true },
      template: { type: 'string' },
      qualifier: { type: 'string' },
    },
  });
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const overrides = Object.fromEntries(
    (values.context ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  const context = { ...cdkJson.context, ...overrides };
  const config = loadDeployConfig(new App({ context }).node);
  const templatePath =
    values.template ?? join(REPO_ROOT, 'cdk.out', `PalReferrals-${config.environment}.template.json`);
  if (!existsSync(templatePath)) {
    console.error(`No template at ${templatePath}: run \`npx cdk synth\` with the same -c values first.`);
    return 2;
  }
  const needs = templateNeeds(JSON.parse(readFileSync(templatePath, 'utf8')) as SynthesizedTemplate);
  const qualifier = values.qualifier ?? String(context['@aws-cdk/core:bootstrapQualifier'] ?? 'hnb659fds');
  const want: PreflightExpectations = {
    environment: config.environment,
    sesDomain: config.sesDomain,
    receiptRuleSetName: `pal-${config.environment}-inbound`,
    qualifier,
    ...needs,
  };
  const clients = preflightClients({
    ...(values.profile && { profile: values.profile }),
    ...(values.region && { region: values.region }),
  });
  const facts = await readPreflightFacts(clients, { sesDomain: config.sesDomain, qualifier });
  const results = preflightChecks(facts, want);
  console.log(`Preflight of PalReferrals-${config.environment} (${values.profile ?? 'default credentials'}):`);
  console.log(formatChecks(results));
  return results.every((r) => r.pass) ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
