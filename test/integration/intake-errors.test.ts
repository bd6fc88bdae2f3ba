import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalStack } from '../../infra/local/stack';
import { postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';

/* Every refused body gets a 4xx problem (RFC 9457) naming each bad field and its rule, and nothing is stored. */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

interface ErrorBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  issues: { field: string; rule: string; message: string }[];
}

async function refuse(body: unknown, headers: Record<string, string> = {}) {
  const res = await postJson(`${stack.apiUrl}/referrals`, body, headers);
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as ErrorBody };
}

describe('POST /referrals refuses', () => {
  it.each([
    ['an unknown county', { consumer: { county: 'Hennepinn' } }, 'consumer.county', 'minnesota-county'],
    ['no consent to share', { consentToShare: false }, 'consentToShare', 'consent-required'],
    [
      'a broker picked for a public-program case',
      { requestedAssisterType: 'broker' },
      'requestedAssisterType',
      'assister-type',
    ],
    ['a bad phone', { consumer: { phone: '555-0142' } }, 'consumer.phone', 'us-phone'],
    ['an unknown field', { favouriteColour: 'blue' }, 'favouriteColour', 'unknown-field'],
    ['an unknown nested field', { consumer: { ssn: '000-00-0000' } }, 'consumer.ssn', 'unknown-field'],
    ['a ZIP outside Minnesota', { consumer: { zip: '90210' } }, 'consumer.zip', 'minnesota-zip'],
    ['a referral dated in the future', { referredAt: '2099-01-01T00:00:00Z' }, 'referredAt', 'not-in-future'],
    [
      'determinations without an application',
      { case: { hasActiveApplication: false } },
      'case.determinations',
      'no-determination-without-application',
    ],
  ])('%s with 422, naming the field and the rule', async (_label, changes, field, rule) => {
    const res = await refuse(referralBody(changes));

    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({
      type: 'https://pal.example.org/problems/invalid-referral',
      title: 'The referral was refused',
      status: 422,
      instance: '/referrals',
    });
    expect(res.body.issues).toContainEqual(expect.objectContaining({ field, rule }));
  });

  it('a body that is not JSON with 400', async () => {
    const res = await refuse('{"crmReferralId": "CRM-1",');
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ field: 'body', rule: 'json' })]);
  });

  it('a body over 64 KB with 413, before reading it as a referral', async () => {
    const body = referralBody({ case: { guidanceGiven: 'x'.repeat(70 * 1024) } });
    const res = await refuse(body);
    expect(res.status).toBe(413);
    expect(res.body.issues).toEqual([expect.objectContaining({ field: 'body', rule: 'max-bytes' })]);
  });

  it('a body that is not sent as JSON with 415', async () => {
    const res = await refuse(referralBody(), { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(res.body.issues).toEqual([expect.objectContaining({ field: 'Content-Type' })]);
  });

  it('every problem of a body at once', async () => {
    const res = await refuse(
      referralBody({ consentToShare: false, consumer: { county: 'Atlantis', phone: 'call me' }, extra: 1 }),
    );
    expect(res.status).toBe(422);
    expect(res.body.issues.map((i) => i.field).sort()).toEqual(
      ['consentToShare', 'consumer.county', 'consumer.phone', 'extra'].sort(),
    );
  });

  it('and stores nothing, publishes nothing and emails no one for a refused body', async () => {
    const body = referralBody({ consentToShare: false });
    await refuse(body);
    await settle(stack);

    const again = await postJson(`${stack.apiUrl}/referrals`, { ...body, consentToShare: true });
    expect(again.status).toBe(201);
    expect(stack.bus.published.filter((e) => e['detail-type'] === 'Referral Created')).toHaveLength(1);
    await settle(stack);
    expect(await sentEmails(stack)).toHaveLength(1);
  });
});

describe("the README's refusal example", () => {
  it('is what the API answers for an unknown county and a broker asked for a Medical Assistance household', async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('Every refusal is an RFC 9457 problem'));
    const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(section)![1]!) as unknown;

    const res = await refuse(referralBody({ consumer: { county: 'Hennepinn' }, requestedAssisterType: 'broker' }));

    expect(res.type).toBe('application/problem+json');
    expect(res.body).toEqual(example);
  });
});

describe('routing', () => {
  it('answers another method on a route with 405, naming the allowed one', async () => {
    const res = await fetch(`${stack.apiUrl}/referrals`, { method: 'PUT', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      type: 'https://pal.example.org/problems/method-not-allowed',
      status: 405,
      issues: [{ field: 'method', rule: 'POST' }],
    });
  });

  it('answers a path that is no route with a 404 problem', async () => {
    const res = await fetch(`${stack.apiUrl}/referral`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404, issues: [{ field: 'path', rule: 'known-route' }] });
  });
});

describe('GET', () => {
  it('/referrals/{id} of an unknown referral is 404 naming the id', async () => {
    const res = await fetch(`${stack.apiUrl}/referrals/ref_aaaaaaaaaaaaaaaaaaaaaaaaaa`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).issues[0]).toMatchObject({ field: 'referralId' });
  });

  it('/referrals/{id} shows status and routing but none of the consumer contact details', async () => {
    const body = referralBody({ consumer: { firstName: 'Quentin', lastName: 'Zebulon', email: 'qz@example.org' } });
    const created = (await (await postJson(`${stack.apiUrl}/referrals`, body)).json()) as { referralId: string };
    await settle(stack);

    const res = await fetch(`${stack.apiUrl}/referrals/${created.referralId}`);
    const text = await res.text();

    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ referralId: created.referralId, status: 'emailed' });
    expect(text).not.toMatch(/Quentin|Zebulon|qz@example\.org|555-01|55501/);
  });

  it('/openapi.json is the OpenAPI 3.1 document, with the request schema the API validates with', async () => {
    const res = await fetch(`${stack.apiUrl}/openapi.json`);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: {
        schemas: {
          ReferralRequest: { required: string[]; properties: Record<string, unknown>; additionalProperties: boolean };
        };
      };
    };

    expect(res.status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/referrals', '/referrals/{referralId}']));
    const request = doc.components.schemas.ReferralRequest;
    expect(request.required).toEqual(
      expect.arrayContaining(['crmReferralId', 'representativeId', 'consumer', 'case', 'consentToShare']),
    );
    expect(request.required).not.toContain('referredAt');
    expect(request.additionalProperties).toBe(false);
    // Refusals are documented as the problems the API sends.
    const post = doc.paths['/referrals'] as { post: { responses: Record<string, { content: object }> } };
    expect(post.post.responses['422']!.content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
    const problem = (doc.components.schemas as unknown as { Problem: { properties: { type: { enum: string[] } } } })
      .Problem;
    expect(problem.properties.type.enum).toContain('https://pal.example.org/problems/invalid-referral');
  });
});
