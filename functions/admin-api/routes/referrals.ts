import type { AdminDeps } from '../../../shared/wiring/admin';
import { reportDepsOf } from '../../../shared/wiring/admin';
import { fieldProblem } from '../../../shared/api/http/problem';
import { json } from '../../../shared/api/http/responses';
import type { Route } from '../../../shared/api/http/router';
import { route } from '../../../shared/api/http/router';
import { decodePathSegment } from '../../../shared/api/path-segment';
import { RuleViolation } from '../../../shared/domain/errors';
import { minnesotaDateOf } from '../../../shared/domain/minnesota-time';
import { undeliveredLeads } from '../../../shared/use-cases/admin/ops-figures';
import { showReferral } from '../../../shared/use-cases/admin/referral-admin';
import { reassignReferral } from '../../../shared/use-cases/reassign-referral';
import { resendLead } from '../../../shared/use-cases/resend-lead';
import { overdueReports, resendReport } from '../../../shared/use-cases/send-reports';
import { actorOf, bodyField, lookback } from './request';

const referralId = { referralId: /ref_[a-z2-7]{26}/ };

/** Referrals (undelivered leads, one referral, resend, reassign) and reports (resend, overdue). */
export function referralRoutes(deps: AdminDeps): Route[] {
  const today = () => minnesotaDateOf(deps.clock());
  return [
    route('GET', '/admin/referrals/undelivered', async (request) =>
      json(200, { leads: await undeliveredLeads(deps, today(), lookback(request), deps.clock()) }),
    ),
    route(
      'GET',
      '/admin/referrals/{referralId}',
      async ({ params }) => json(200, await showReferral(deps, params.referralId!)),
      referralId,
    ),
    route(
      'POST',
      '/admin/referrals/{referralId}/resend',
      async (request) => {
        const reason = String(bodyField(request, 'reason') ?? '');
        return json(
          200,
          await resendLead(deps, { referralId: request.params.referralId!, actor: actorOf(request), reason }),
        );
      },
      referralId,
    ),
    route(
      'POST',
      '/admin/referrals/{referralId}/reassign',
      async (request) => {
        const to = bodyField(request, 'toOrganizationId');
        const reason = String(bodyField(request, 'reason') ?? '').trim();
        if (!reason) throw new RuleViolation('reason', 'required', 'a reassignment needs a reason');
        return json(
          200,
          await reassignReferral(deps, {
            referralId: request.params.referralId!,
            ...(to !== undefined && { toOrganizationId: String(to) }),
            actor: actorOf(request),
            reason,
          }),
        );
      },
      referralId,
    ),
    route('POST', '/admin/reports/{reportId}/resend', async ({ params }) => {
      const reportId = decodePathSegment(params.reportId!);
      if (reportId === undefined) {
        throw fieldProblem(400, 'invalid-path', {
          field: 'path',
          rule: 'percent-encoding',
          message: 'the report id has a malformed percent-escape',
        });
      }
      return json(200, { resent: await resendReport(reportDepsOf(deps), reportId) });
    }),
    route('GET', '/admin/reports/overdue', async () => json(200, { reports: await overdueReports(deps, today()) })),
  ];
}
