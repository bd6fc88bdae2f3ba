import demoDirectory from '../../../config/demo-directory.json';
import type { LocalStack } from '../../../infra/local/stack';
import { LOCAL_CREDENTIALS } from '../../../infra/local/stack';
import { documentClient } from '../../../shared/adapters/aws-clients';
import { DynamoAssisterDirectory } from '../../../shared/adapters/dynamo-directory.adapter';
import { DynamoReferralStore } from '../../../shared/adapters/dynamo-referral-store.adapter';
import { DynamoReportStore } from '../../../shared/adapters/dynamo-report-store.adapter';
import type { Organization } from '../../../shared/domain/organization';
import { OrganizationSchema } from '../../../shared/domain/organization';

/**
 * The stack's tables through the production adapters, as the tests read and prepare them. They talk to
 * dynalite itself, not through any fault proxy the handlers were pointed at.
 */
export function storesOf(stack: Pick<LocalStack, 'config' | 'dynamoUrl'>) {
  const doc = documentClient(
    { ...stack.config.reports, AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoUrl },
    LOCAL_CREDENTIALS,
  );
  return {
    doc,
    referrals: new DynamoReferralStore(doc, stack.config.reports.REFERRALS_TABLE),
    reports: new DynamoReportStore(doc, stack.config.reports.REPORTS_TABLE),
    directory: new DynamoAssisterDirectory(doc, stack.config.reports.DIRECTORY_TABLE),
  };
}

/** The demo directory's organizations, optionally changed (e.g. without weekly capacities for a load test). */
export function demoOrganizations(change: (org: Organization) => Organization = (org) => org): Organization[] {
  return demoDirectory.organizations.map((org) => change(OrganizationSchema.parse(org)));
}

/** Loads organizations into the stack's directory (for stacks started with seedDemoDirectory: false). */
export async function seedDirectory(
  stack: Pick<LocalStack, 'config' | 'dynamoUrl'>,
  organizations = demoOrganizations(),
) {
  const { directory } = storesOf(stack);
  for (const org of organizations) await directory.put(org);
}
