import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { htmlPage } from '../../shared/api/html-page';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { documentClient } from '../../shared/adapters/aws-clients';
import { atColdStart } from '../../shared/adapters/cold-start';
import { DynamoAuditLog } from '../../shared/adapters/dynamo-audit-log.adapter';
import { DynamoAssisterDirectory } from '../../shared/adapters/dynamo-directory.adapter';
import { createLogger } from '../../shared/adapters/logger';
import { withSecrets } from '../../shared/adapters/secrets';
import type { ContactConfirmPageConfig } from '../../shared/config';
import { ContactConfirmPageConfigSchema, loadConfig } from '../../shared/config';
import type { ContactConfirmDeps } from '../../shared/use-cases/contact-confirmations';
import { confirmLeadContact } from '../../shared/use-cases/contact-confirmations';

export type ContactConfirmPageDeps = ContactConfirmDeps & { readonly programContact: string };

export function buildContactConfirmPageDeps(
  config: ContactConfirmPageConfig,
  credentials?: LocalCredentials,
): ContactConfirmPageDeps {
  const doc = documentClient(config, credentials);
  return {
    directory: new DynamoAssisterDirectory(doc, config.DIRECTORY_TABLE),
    audit: new DynamoAuditLog(doc, config.AUDIT_TABLE),
    signingSecret: Buffer.from(config.SIGNING_SECRET, 'utf8'),
    programContact: config.PROGRAM_CONTACT,
    log: createLogger('contact-confirm'),
    clock: () => new Date(),
  };
}

/**
 * GET /contacts/{organizationId}/confirm?token=…: the link in the "confirm your lead contact" email.
 * A valid token records the confirmation and shows a thank-you page; any other gets a 403 page that
 * names neither the organization nor its address.
 */
export function createContactConfirmHandler(deps: ContactConfirmPageDeps) {
  return async function handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const match = /^\/contacts\/([a-z0-9][a-z0-9-]{1,62})\/confirm\/?$/.exec(event.path);
    if (!match || event.httpMethod !== 'GET') return htmlPage(404, 'Not found', ['There is no page at this address.']);
    const organizationId = match[1]!;
    const result = await confirmLeadContact(deps, organizationId, event.queryStringParameters?.token);
    if (!result.confirmed) {
      deps.log.warn('Contact confirmation link refused', { reason: result.reason });
      return htmlPage(403, 'This link cannot be used', [
        result.reason === 'expired' ? 'This link has expired.' : 'This link is not valid.',
        `To confirm your organization's lead contact, write to ${deps.programContact}.`,
      ]);
    }
    if (result.changed) deps.log.info('Lead contact confirmed', { organizationId });
    return htmlPage(200, 'Thank you', [
      `MNsure has recorded that ${result.organization.leadEmail} is still the lead contact of ${result.organization.name}.`,
      `MNsure will ask again in about 90 days. If the contact changes before then, write to ${deps.programContact}.`,
    ]);
  };
}

const ready = atColdStart(async () =>
  createContactConfirmHandler(
    buildContactConfirmPageDeps(
      loadConfig(ContactConfirmPageConfigSchema, await withSecrets(process.env, ['SIGNING_SECRET'])),
    ),
  ),
);

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => (await ready())(event);
