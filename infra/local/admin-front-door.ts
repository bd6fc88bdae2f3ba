import type { APIGatewayProxyEvent } from 'aws-lambda';
import { problem } from '../../shared/api/http/problem';
import { headerOf } from '../../shared/api/http/responses';
import { adminKeyMatches } from './admin-key';
import type { ApiHandler } from './api-server';

/**
 * The admin API's front doors on this machine, in place of API Gateway's IAM authorization:
 * `/admin` needs the local admin key (x-pal-admin-key, kept in the data folder); `/ops`, the
 * ops page (read-only, no PII), is open on this machine to GET without it.
 */
export function adminFrontDoors(admin: ApiHandler, adminKey: string): { admin: ApiHandler; ops: ApiHandler } {
  const as = (event: APIGatewayProxyEvent, userArn: string, path = event.path) =>
    admin({
      ...event,
      path,
      requestContext: { ...event.requestContext, identity: { ...event.requestContext.identity, userArn } },
    });
  return {
    ops: async (event) =>
      event.httpMethod === 'GET'
        ? as(event, 'local-ops-page', '/admin/ops')
        : problem(
            {
              status: 405,
              kind: 'method-not-allowed',
              detail: 'Use GET on /ops',
              issues: [{ field: 'method', rule: 'GET', message: 'must be GET' }],
              instance: event.path,
            },
            { Allow: 'GET' },
          ),
    admin: async (event) =>
      adminKeyMatches(headerOf(event, 'x-pal-admin-key'), adminKey)
        ? as(event, 'local-admin')
        : problem({
            status: 403,
            kind: 'forbidden',
            detail: 'This stack needs its admin key',
            issues: [
              {
                field: 'x-pal-admin-key',
                rule: 'admin-key',
                message: 'must be the local admin key (.local/admin-key)',
              },
            ],
            instance: event.path,
          }),
  };
}
