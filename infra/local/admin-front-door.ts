import type { APIGatewayProxyEvent } from 'aws-lambda';
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
        : { statusCode: 405, headers: { Allow: 'GET' }, body: '' },
    admin: async (event) =>
      adminKeyMatches(headerOf(event, 'x-pal-admin-key'), adminKey)
        ? as(event, 'local-admin')
        : {
            statusCode: 403,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
              error: 'forbidden',
              issues: [
                {
                  field: 'x-pal-admin-key',
                  rule: 'admin-key',
                  message: 'must be the local admin key (.local/admin-key)',
                },
              ],
            }),
          },
  };
}

function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  return Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1] ?? undefined;
}
