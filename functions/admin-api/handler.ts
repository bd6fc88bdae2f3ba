import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AdminDeps } from '../../shared/wiring/admin';
import { adminApiWiring } from '../../shared/wiring/admin';
import { atColdStart } from '../../shared/wiring/cold-start';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import type { ProblemInit } from '../../shared/api/http/problem';
import { createRouter, errorName } from '../../shared/api/http/router';
import { ConcurrentUpdateError, NotFoundError, RuleViolation, StaleCopyError } from '../../shared/domain/errors';
import { ImportFileError } from '../../shared/use-cases/admin/import-table';
import { opsRoutes } from './routes/ops';
import { organizationRoutes } from './routes/organizations';
import { referralRoutes } from './routes/referrals';

/**
 * The admin API: MNsure's PAL point of contact's operations, each audited with the caller's
 * identity. On AWS every route is IAM-authorized (a policy separate from the CRM's); locally the
 * stack checks an admin key. The pal CLI calls the same use cases.
 */
export function createAdminApiHandler(deps: AdminDeps) {
  return createRouter([...organizationRoutes(deps), ...referralRoutes(deps), ...opsRoutes(deps)], {
    problemOf,
    onUnexpected: (error, { path }) => deps.log.error('Admin request failed', { path, ...errorName(error) }),
  });
}

/** The use cases' refusals as problems, each naming the field and the rule. */
function problemOf(error: unknown): ProblemInit | undefined {
  const detail = error instanceof Error ? error.message : '';
  if (error instanceof RuleViolation)
    return {
      status: 422,
      kind: 'rule-violation',
      detail,
      issues: [{ field: error.field, rule: error.rule, message: detail }],
    };
  if (error instanceof NotFoundError)
    return { status: 404, kind: 'not-found', detail, issues: [{ field: 'path', rule: 'exists', message: detail }] };
  if (error instanceof ImportFileError)
    return {
      status: 400,
      kind: 'invalid-body',
      detail,
      issues: [{ field: 'body', rule: error.rule, message: detail }],
    };
  if (error instanceof StaleCopyError) {
    const issue = { field: 'If-Match', rule: 'current-version', message: detail };
    return { status: 412, kind: 'stale-copy', detail, issues: [issue] };
  }
  if (error instanceof ConcurrentUpdateError) {
    const issue = { field: 'path', rule: 'no-concurrent-update', message: `${detail}; try again` };
    return { status: 409, kind: 'concurrent-update', detail: issue.message, issues: [issue] };
  }
  return undefined;
}

const ready = atColdStart(async () => createAdminApiHandler(await depsFromEnvironment(adminApiWiring)));

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => (await ready())(event);
