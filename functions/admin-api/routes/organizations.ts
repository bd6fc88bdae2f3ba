import type { AdminDeps } from '../../../shared/wiring/admin';
import { expectedVersion, withEtag } from '../../../shared/api/http/etag';
import { HttpProblem } from '../../../shared/api/http/problem';
import { bodyBytes, json, text } from '../../../shared/api/http/responses';
import type { Route } from '../../../shared/api/http/router';
import { route } from '../../../shared/api/http/router';
import { NotFoundError } from '../../../shared/domain/errors';
import { OrganizationSchema } from '../../../shared/domain/organization';
import { toFieldIssues } from '../../../shared/domain/validation';
import {
  applyOrganizationImport,
  changeLeadEmail,
  exportOrganizationsCsv,
  planOrganizationImport,
  resumeOrganization,
  rowsFromTable,
  suspendOrganization,
} from '../../../shared/use-cases/admin/directory-admin';
import { readImportTable } from '../../../shared/use-cases/admin/import-table';
import { saveOrganization } from '../../../shared/use-cases/admin/organizations';
import { actorOf, bodyField, bodyOf } from './request';

const organizationId = { organizationId: /[a-z0-9-]+/ };

/** The directory: list, export, import (CSV or .xlsx), read with its ETag, save with If-Match, suspend/resume. */
export function organizationRoutes(deps: AdminDeps): Route[] {
  return [
    route('GET', '/admin/organizations', async () => json(200, { organizations: await deps.directory.list() })),
    route('GET', '/admin/organizations/export', async () =>
      text(200, 'text/csv; charset=utf-8', await exportOrganizationsCsv(deps), {
        'Content-Disposition': 'attachment; filename="pal-directory.csv"',
      }),
    ),
    route('POST', '/admin/organizations/import', async (request) => {
      const plan = await planOrganizationImport(deps, rowsFromTable(await readImportTable(bodyBytes(request.event))));
      const dryRun = request.query('dryRun') === 'true';
      const strict = request.query('strict') === 'true';
      const actor = actorOf(request);
      const applied = dryRun ? { saved: 0 } : await applyOrganizationImport(deps, plan, { strict, actor });
      return json(dryRun || plan.refused.length === 0 ? 200 : 207, {
        dryRun,
        strict,
        added: plan.added.map((o) => o.organizationId),
        changed: plan.changed.map((c) => ({ organizationId: c.organization.organizationId, changes: c.changes })),
        unchanged: plan.unchanged,
        refused: plan.refused,
        saved: applied.saved,
      });
    }),
    route(
      'GET',
      '/admin/organizations/{organizationId}',
      async ({ params }) => {
        const id = params.organizationId!;
        const stored = await deps.directory.getVersioned(id);
        if (!stored) throw new NotFoundError(`Organization ${id} does not exist`);
        const history = await deps.audit.list(`organization#${id}`);
        return withEtag(json(200, { organization: stored.organization, history }), stored.version);
      },
      organizationId,
    ),
    route(
      'PUT',
      '/admin/organizations/{organizationId}',
      async (request) => {
        const body = bodyOf(request);
        const parsed = OrganizationSchema.safeParse({
          ...(body as object),
          organizationId: request.params.organizationId,
        });
        if (!parsed.success) {
          const issues = toFieldIssues(parsed.error);
          const detail = `${issues.length} problem(s), each named in issues`;
          throw new HttpProblem({ status: 422, kind: 'invalid-organization', detail, issues });
        }
        // If-Match (the ETag of a GET): saved only if nobody changed the record since that GET.
        const expected = expectedVersion(request.event, 'organization');
        const saved = await saveOrganization(deps, parsed.data, actorOf(request), 'organization-saved', {
          ...(expected !== undefined && { expectedVersion: expected }),
        });
        return withEtag(json(200, { organization: saved.organization, changes: saved.changes }), saved.version);
      },
      organizationId,
    ),
    route(
      'POST',
      '/admin/organizations/{organizationId}/lead-email',
      async (request) => {
        const leadEmail = String(bodyField(request, 'leadEmail'));
        return json(200, await changeLeadEmail(deps, request.params.organizationId!, leadEmail, actorOf(request)));
      },
      organizationId,
    ),
    route(
      'POST',
      '/admin/organizations/{organizationId}/suspend',
      async (request) => {
        const resumesOn = bodyField(request, 'resumesOn');
        const reason = String(bodyField(request, 'reason') ?? '');
        const until = resumesOn === undefined ? undefined : String(resumesOn);
        return json(
          200,
          await suspendOrganization(deps, request.params.organizationId!, reason, until, actorOf(request)),
        );
      },
      organizationId,
    ),
    route(
      'POST',
      '/admin/organizations/{organizationId}/resume',
      async (request) => json(200, await resumeOrganization(deps, request.params.organizationId!, actorOf(request))),
      organizationId,
    ),
  ];
}
