import type { APIGatewayProxyResult } from 'aws-lambda';
import { fieldProblem } from './problem';
import { headerOf } from './responses';

/*
 * Optimistic concurrency over HTTP: a GET's ETag is the record's version ("v3"); a PUT carrying it as
 * If-Match is saved only if nobody changed the record since (else 412, see the admin API's errors).
 */

export function withEtag(result: APIGatewayProxyResult, version: number): APIGatewayProxyResult {
  return { ...result, headers: { ...result.headers, ETag: `"v${version}"` } };
}

/** The version an If-Match names; undefined without one; a 400 problem when it is not one of our ETags. */
export function expectedVersion(event: Parameters<typeof headerOf>[0], what: string): number | undefined {
  const ifMatch = headerOf(event, 'if-match');
  if (ifMatch === undefined) return undefined;
  const match = /^(?:W\/)?"v(\d+)"$/.exec(ifMatch.trim());
  if (!match) {
    throw fieldProblem(400, 'invalid-header', {
      field: 'If-Match',
      rule: 'etag',
      message: `must be the ETag of a GET of this ${what}, e.g. "v3"`,
    });
  }
  return Number(match[1]);
}
