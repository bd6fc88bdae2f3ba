import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { atColdStart } from '../../shared/wiring/cold-start';
import type { LeadPageDeps } from '../../shared/wiring/lead-page';
import { leadPageWiring } from '../../shared/wiring/lead-page';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import { htmlFallback, htmlPage } from '../../shared/api/http/html-page';
import type { ApiRequest } from '../../shared/api/http/router';
import { createRouter, errorName, route } from '../../shared/api/http/router';
import { leadDeadlines, leadRows, leadTableHtml, repeatNote } from '../../shared/domain/lead-email';
import { escapeHtml } from '../../shared/format/html';
import { checkLinkToken, deriveKey } from '../../shared/domain/signed-link';

/**
 * /leads/{referralId}?token=…: the secure lead page. The token opens one lead, for the organization
 * it was sent to, until it expires. GET shows no PII, only which lead this is and a "Show the
 * lead" button: mail scanners open every link, and must neither fetch a consumer's details nor
 * count as a view. The button's POST (back to the same address, token included) shows the lead
 * and records the view (when, which lead, which organization: no PII). A lead reassigned since
 * is no longer shown to the first organization.
 */
export function createLeadPageHandler(deps: LeadPageDeps) {
  return createRouter([route(['GET', 'POST'], '/leads/{referralId}', leadPage, { referralId: /ref_[a-z2-7]{26}/ })], {
    fallback: htmlFallback,
    onUnexpected: (error) => deps.log.error('Lead page failed', errorName(error)),
  });

  async function leadPage({ event, params }: ApiRequest): Promise<APIGatewayProxyResult> {
    const referralId = params.referralId!;
    const now = deps.clock();
    const check = checkLinkToken(
      event.queryStringParameters?.token,
      { scope: 'lead-view', subject: referralId },
      deriveKey(deps.signingSecret, 'lead-page'),
      now,
    );
    const referral = check.ok ? await deps.referrals.get(referralId) : undefined;
    const organizationId = referral?.routing?.organizationId;
    if (!check.ok || !referral || organizationId !== check.claims.organizationId) {
      deps.log.warn('Lead link refused', { reason: check.ok ? 'not-this-organization' : check.reason });
      return htmlPage(403, 'This link cannot be used', [
        check.ok || check.reason !== 'expired'
          ? 'This link is not valid. Use the link in the lead email from MNsure.'
          : 'This link has expired.',
        `To see this lead, write to ${deps.programContact} with the referral id from the email.`,
      ]);
    }
    const organization = await deps.directory.get(organizationId);
    const organizationName = organization?.name ?? organizationId;
    const introduction = `MNsure's contact center referred this consumer to ${organizationName} through the Preferred Assister Lead program.`;

    if (event.httpMethod === 'GET') {
      return htmlPage(
        200,
        `PAL referral ${referralId}`,
        [
          introduction,
          "Press Show the lead to see the consumer's contact details and case facts. Each view is recorded.",
        ],
        // No action: the form posts back to this address, token included.
        '<form method="post"><button type="submit">Show the lead</button></form>',
        { formAction: "'self'" },
      );
    }

    const sentAt = new Date(referral.lead?.emailedAt ?? referral.lead?.claimedAt ?? referral.referredAt);
    const { locating, consumer } = leadRows(
      referral,
      { type: referral.assisterType },
      leadDeadlines(referral.referredAt, sentAt),
    );
    await deps.audit.record({
      subject: `referral#${referralId}`,
      at: now.toISOString(),
      action: 'lead-viewed',
      actor: `organization:${organizationId}`,
    });
    deps.log.info('Lead viewed', { referralId, organizationId });
    const repeat = repeatNote(organizationName, referral.routing?.repeatOfReferralId);
    return htmlPage(
      200,
      `PAL referral ${referralId}`,
      [introduction, ...(repeat ? [repeat] : [])],
      `${leadTableHtml([...locating.slice(0, 4), ...consumer, ...locating.slice(4)])}
<p>${escapeHtml(`Questions about this lead: ${deps.programContact}. This page is not stored in your browser; open the link again to see it.`)}</p>`,
    );
  }
}

const ready = atColdStart(async () => createLeadPageHandler(await depsFromEnvironment(leadPageWiring)));

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => (await ready())(event);
