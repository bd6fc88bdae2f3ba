import type { APIGatewayProxyEvent } from 'aws-lambda';
import { expectedVersion, withEtag } from '../../shared/api/http/etag';
import { htmlFallback } from '../../shared/api/http/html-page';
import { fieldProblem } from '../../shared/api/http/problem';
import { headerOf, json } from '../../shared/api/http/responses';
import { createRouter, route } from '../../shared/api/http/router';
import { ProblemSchema } from '../../shared/api/referral-api.schema';

/* The HTTP kit every API handler routes with: the answers a client sees for routes, refusals and failures. */

function event(method: string, path: string, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    headers,
    queryStringParameters: { q: 'one' },
    requestContext: { requestId: 'req-1' },
  } as unknown as APIGatewayProxyEvent;
}

const logged: unknown[] = [];
const router = createRouter(
  [
    route('GET', '/things/{thingId}', async ({ params, query }) => json(200, { id: params.thingId, q: query('q') }), {
      thingId: /t-\d+/,
    }),
    route('PUT', '/things/{thingId}', async (request) =>
      withEtag(json(200, { expected: expectedVersion(request.event, 'thing') ?? null }), 4),
    ),
    route('POST', '/fail', async () => {
      throw new Error('consumer jane@example.org broke it');
    }),
    route('POST', '/refuse', async () => {
      throw fieldProblem(422, 'rule-violation', { field: 'reason', rule: 'required', message: 'needs a reason' });
    }),
  ],
  { onUnexpected: (error) => logged.push(error) },
);

const body = (res: { body: string }) => JSON.parse(res.body) as Record<string, unknown>;

describe('the HTTP kit', () => {
  it('routes by method and path pattern, with parameters, query and a trailing slash', async () => {
    const res = await router(event('GET', '/things/t-7/'));
    expect(res.statusCode).toBe(200);
    expect(body(res)).toEqual({ id: 't-7', q: 'one' });
  });

  it("keeps each parameter its own value when a parameter's pattern has groups of its own", async () => {
    const pair = createRouter(
      [route('GET', '/{kind}/{id}', async ({ params }) => json(200, params), { kind: /(lead|report)s/ })],
      { onUnexpected: () => undefined },
    );
    expect(body(await pair(event('GET', '/reports/r-1')))).toEqual({ kind: 'reports', id: 'r-1' });
  });

  it('answers a path no pattern matches with a 404 problem naming the path', async () => {
    const res = await router(event('GET', '/things/x-7/more'));
    expect(res.statusCode).toBe(404);
    expect(res.headers?.['Content-Type']).toBe('application/problem+json');
    expect(ProblemSchema.parse(body(res))).toMatchObject({
      type: 'https://pal.example.org/problems/not-found',
      status: 404,
      instance: '/things/x-7/more',
      issues: [{ field: 'path', rule: 'known-route' }],
    });
  });

  it('answers another method on a known path with 405 and Allow', async () => {
    const res = await router(event('DELETE', '/things/t-1'));
    expect(res.statusCode).toBe(405);
    expect(res.headers?.Allow).toBe('GET, PUT');
    expect(body(res)).toMatchObject({ status: 405, issues: [{ field: 'method', rule: 'GET|PUT' }] });
  });

  it('answers a thrown problem with its status, the request path as instance, and the issue', async () => {
    const res = await router(event('POST', '/refuse'));
    expect(res.statusCode).toBe(422);
    expect(body(res)).toEqual({
      type: 'https://pal.example.org/problems/rule-violation',
      title: 'The request breaks a rule',
      status: 422,
      detail: 'needs a reason',
      instance: '/refuse',
      issues: [{ field: 'reason', rule: 'required', message: 'needs a reason' }],
    });
  });

  it('answers an unexpected error with a 500 carrying the request id and none of the error message', async () => {
    logged.length = 0;
    const res = await router(event('POST', '/fail'));
    expect(res.statusCode).toBe(500);
    expect(body(res)).toMatchObject({ type: 'https://pal.example.org/problems/internal', requestId: 'req-1' });
    expect(res.body).not.toContain('example.org broke');
    expect(logged).toHaveLength(1);
  });

  it('reads If-Match whatever its case, sends the ETag, and refuses a malformed one with 400', async () => {
    const ok = await router(event('PUT', '/things/t-1', { 'iF-mAtCh': 'W/"v3"' }));
    expect(body(ok)).toEqual({ expected: 3 });
    expect(ok.headers?.ETag).toBe('"v4"');

    const malformed = await router(event('PUT', '/things/t-1', { 'If-Match': 'yesterday' }));
    expect(malformed.statusCode).toBe(400);
    expect(body(malformed)).toMatchObject({ issues: [{ field: 'If-Match', rule: 'etag' }] });
  });

  it('looks headers up whatever their case', () => {
    expect(headerOf(event('GET', '/', { 'CONTENT-type': 'text/csv' }), 'Content-Type')).toBe('text/csv');
    expect(headerOf(event('GET', '/'), 'content-type')).toBeUndefined();
  });

  it('lets an HTML API answer its own 404, 405 (with Allow) and 500 pages', async () => {
    const pages = createRouter([route('GET', '/page', async () => json(200, {}))], {
      fallback: htmlFallback,
      onUnexpected: () => undefined,
    });
    const notAllowed = await pages(event('POST', '/page'));
    expect(notAllowed.statusCode).toBe(405);
    expect(notAllowed.headers?.Allow).toBe('GET');
    expect(notAllowed.headers?.['Content-Type']).toMatch(/^text\/html/);
    expect((await pages(event('GET', '/nope'))).body).toContain('There is no page at this address.');
  });
});
