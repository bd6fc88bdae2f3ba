import type { APIGatewayProxyEvent, EventBridgeEvent } from 'aws-lambda';
import { createAdminApiHandler } from '../../functions/admin-api/handler';
import { createMailIntakeHandler } from '../../functions/mail-intake/handler';
import { createReportIngestHandler } from '../../functions/report-ingest/handler';
import { createReportLinksHandler } from '../../functions/report-links/handler';
import type { AdminDeps } from '../../shared/wiring/admin';
import type { IngestDeps } from '../../shared/use-cases/ingest-report';
import type { MailIntakeDeps } from '../../shared/use-cases/unpack-inbound-mail';

/*
 * A malformed percent-escape from outside ("%E0%A4%A", a lone "%") makes decodeURIComponent throw a
 * URIError. Each place that decodes outside input answers it cleanly instead. The handlers refuse
 * before any port is used, so the ports here are empty objects that would throw if touched.
 */

const BAD = '%E0%A4%A';
const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const untouched = <T>() =>
  new Proxy(
    {},
    {
      get: () => {
        throw new Error('not to be used');
      },
    },
  ) as T;

function apiEvent(method: string, path: string): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    headers: {},
    queryStringParameters: { token: 'x' },
    requestContext: { identity: { userArn: 'test' } },
  } as unknown as APIGatewayProxyEvent;
}

function objectCreated(key: string): EventBridgeEvent<string, unknown> {
  return {
    id: 'e1',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    time: '2017-11-22T14:00:00Z',
    detail: { bucket: { name: 'reports' }, object: { key } },
  } as unknown as EventBridgeEvent<string, unknown>;
}

describe('a malformed percent-escape', () => {
  it('in a report link path gets a clean 404 page, not an unhandled error (502)', async () => {
    const handle = createReportLinksHandler({
      ...untouched<Parameters<typeof createReportLinksHandler>[0]>(),
      log,
    } as Parameters<typeof createReportLinksHandler>[0]);

    const res = await handle(apiEvent('GET', `/reports/${BAD}/download`));

    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('There is no page at this address.');
  });

  it('in an admin report id is a 400 naming the path and the rule', async () => {
    const handle = createAdminApiHandler({ log, clock: () => new Date() } as unknown as AdminDeps);

    const res = await handle(apiEvent('POST', `/admin/reports/${BAD}/resend`));

    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ issues: [{ field: 'path', rule: 'percent-encoding' }] });
  });

  it('in an S3 object key is logged and dropped by report-ingest and mail-intake, not retried until dead-lettered', async () => {
    const ingest = createReportIngestHandler({ log } as unknown as IngestDeps);
    const intake = createMailIntakeHandler({ log } as unknown as MailIntakeDeps);

    await expect(ingest(objectCreated(`returned/${BAD}.xlsx`))).resolves.toEqual([]);
    await expect(intake(objectCreated(`inbound/${BAD}`))).resolves.toBeUndefined();
  });
});
