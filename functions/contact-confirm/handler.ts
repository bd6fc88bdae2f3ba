import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { atColdStart } from '../../shared/wiring/cold-start';
import type { ContactConfirmPageDeps } from '../../shared/wiring/contact-confirm';
import { contactConfirmWiring } from '../../shared/wiring/contact-confirm';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import { htmlFallback, htmlPage } from '../../shared/api/http/html-page';
import type { ApiRequest } from '../../shared/api/http/router';
import { createRouter, errorName, route } from '../../shared/api/http/router';
import { checkContactLink, confirmLeadContact } from '../../shared/use-cases/contact-confirmations';

/**
 * /contacts/{organizationId}/confirm?token=…: the link in the "confirm your lead contact" email.
 * GET shows what would be confirmed and a Confirm button; only the POST that button sends records
 * the confirmation, so a mail scanner that opens every link confirms nothing. A refused token gets
 * a 403 page that names neither the organization nor its address.
 */
export function createContactConfirmHandler(deps: ContactConfirmPageDeps) {
  const refused = (reason: string) => {
    deps.log.warn('Contact confirmation link refused', { reason });
    return htmlPage(403, 'This link cannot be used', [
      reason === 'expired' ? 'This link has expired.' : 'This link is not valid.',
      `To confirm your organization's lead contact, write to ${deps.programContact}.`,
    ]);
  };
  const confirmPage = async ({ event, params, query }: ApiRequest): Promise<APIGatewayProxyResult> => {
    const organizationId = params.organizationId!;
    const token = query('token');

    if (event.httpMethod === 'GET') {
      const link = await checkContactLink(deps, organizationId, token);
      if (!link.ok) return refused(link.reason);
      const { organization } = link;
      return htmlPage(
        200,
        'Confirm your lead contact',
        [
          `Is ${organization.leadEmail} still the address where ${organization.name} receives PAL leads from MNsure?`,
          `If it is, press Confirm. If it is not, do not confirm: write to ${deps.programContact} with the right address.`,
        ],
        // No action: the form posts back to this address, token included.
        '<form method="post"><button type="submit">Confirm</button></form>',
        { formAction: "'self'" },
      );
    }

    const result = await confirmLeadContact(deps, organizationId, token);
    if (!result.confirmed) return refused(result.reason);
    if (result.changed) deps.log.info('Lead contact confirmed', { organizationId });
    return htmlPage(200, 'Thank you', [
      `MNsure has recorded that ${result.organization.leadEmail} is still the lead contact of ${result.organization.name}.`,
      `MNsure will ask again in about 90 days. If the contact changes before then, write to ${deps.programContact}.`,
    ]);
  };
  return createRouter(
    [route(['GET', 'POST'], '/contacts/{organizationId}/confirm', confirmPage, { organizationId: ORGANIZATION_ID })],
    {
      fallback: htmlFallback,
      onUnexpected: (error) => deps.log.error('Contact confirmation failed', errorName(error)),
    },
  );
}

const ORGANIZATION_ID = /[a-z0-9][a-z0-9-]{1,62}/;

const ready = atColdStart(async () => createContactConfirmHandler(await depsFromEnvironment(contactConfirmWiring)));

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => (await ready())(event);
