import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { LocalStack } from '../../infra/local/stack';
import { ProblemSchema, ReferralAcceptedSchema } from '../../shared/api/referral-api.schema';
import { validateReferralRequest } from '../../shared/domain/referral';
import { settle, startTestStack } from './support/local-stack';
import { testSeed } from './support/seeded-random';

/*
 * Hostile input at the intake API: whatever the body and Content-Type, the API never answers 5xx,
 * every refusal is the documented problem (RFC 9457) naming a field and a rule, and a body it accepts (201)
 * is one the request schema accepts. Bodies go over HTTP to a running stack; the runs are bounded
 * (about 350 POSTs) and seeded: PAL_TEST_SEED=<the printed seed> repeats them.
 *
 * Bodies stay under the 10 MB API Gateway refuses before any Lambda runs (its own answer, outside
 * the handler's contract); bodies over the handler's 64 KB are among those generated.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const sample = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'referral.json'), 'utf8')) as {
  [key: string]: Json;
};

let stack: LocalStack;
let seed: number;
let crmIds = 0;

beforeAll(async () => {
  seed = testSeed('intake properties');
  stack = await startTestStack();
}, 30_000);
afterAll(async () => {
  await settle(stack);
  await stack.stop();
}, 30_000);

interface Answer {
  status: number;
  type: string | null;
  text: string;
}

async function post(body: Buffer, contentType: string | undefined): Promise<Answer> {
  const res = await fetch(`${stack.apiUrl}/referrals`, {
    method: 'POST',
    headers: contentType === undefined ? {} : { 'Content-Type': contentType },
    body,
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The contract for any answer: no 5xx; a refusal is a problem naming a field and a rule for each issue. */
function expectContract(answer: Answer, sentJson: unknown): void {
  expect(answer.status).toBeLessThan(500);
  const json = JSON.parse(answer.text) as unknown;
  if (answer.status === 201 || answer.status === 200) {
    expect(ReferralAcceptedSchema.safeParse(json).success).toBe(true);
    // Accepted only what the request schema accepts.
    expect(validateReferralRequest(sentJson, new Date())).toMatchObject({ ok: true });
    return;
  }
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.type).toBe('application/problem+json');
  const error = ProblemSchema.parse(json);
  expect(error.status).toBe(answer.status);
  expect(error.issues.length).toBeGreaterThan(0);
  for (const issue of error.issues) {
    expect(issue.field).toEqual(expect.stringMatching(/\S/));
    expect(issue.rule).toEqual(expect.stringMatching(/\S/));
  }
  if (answer.status === 422) expect(validateReferralRequest(sentJson, new Date()).ok).toBe(false);
}

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------------------------
// Generators

const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/vnd.pal+json',
  'APPLICATION/JSON',
];
const printableAscii = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...JSON_TYPES) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'application/json-patch+json',
      'json',
      '',
      'application/xml',
    ),
  },
  { weight: 1, arbitrary: printableAscii.map((s) => s.trim()) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\t\r\n',
  '\u202eevil',
  '\ud800',
  '😀',
  '=HYPERLINK("http://evil.example","x")',
  '<script>alert(1)</script>',
  "'; DROP TABLE referrals; --",
  '__proto__',
  'constructor',
  'toString',
  'Hennepinn',
  '27053',
  '27000',
  '053',
  '55404-',
  '(612) 555-0142 ext 5',
  '612٥550142',
  'NaN',
  'null',
  '2099-01-01T00:00:00Z',
  '2017-11-06T10:00:00',
  'x'.repeat(5000),
  'é'.repeat(70 * 1024),
];
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(...HOSTILE_STRINGS),
  fc.constantFrom<Json>(0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, true, false, null, [], {}, [null], { '': '' }),
  fc.string({ maxLength: 40 }) as fc.Arbitrary<Json>,
  fc.string({ unit: 'binary', maxLength: 40 }) as fc.Arbitrary<Json>,
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** Every field of the sample, and the two optional ones it leaves out. */
const PATHS: readonly string[][] = [
  ['crmReferralId'],
  ['referredAt'],
  ['representativeId'],
  ['consumer'],
  ...['firstName', 'lastName', 'phone', 'email', 'preferredContactMethod', 'preferredLanguage', 'county', 'zip'].map(
    (k) => ['consumer', k],
  ),
  ['case'],
  ...['hasActiveAccount', 'hasActiveApplication', 'determinations', 'helpReason', 'guidanceGiven'].map((k) => [
    'case',
    k,
  ]),
  ['case', 'helpReason', 'category'],
  ['case', 'helpReason', 'details'],
  ['case', 'determinations', '0'],
  ['consentToShare'],
  ['requestedAssisterType'],
];

type Mutation =
  | { kind: 'remove'; path: string[] }
  | { kind: 'set'; path: string[]; value: Json }
  | { kind: 'add-unknown'; path: string[]; key: string; value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('remove' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...PATHS), value: hostileValue }),
  fc.record({
    kind: fc.constant('add-unknown' as const),
    path: fc.constantFrom<string[]>([], ['consumer'], ['case'], ['case', 'helpReason']),
    key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'ssn', ''), fc.string({ maxLength: 12 })),
    value: hostileValue,
  }),
);

/** The sample with a fresh CRM id, then the mutations applied (on a plain copy; __proto__ stays a key). */
function mutatedReferral(mutations: readonly Mutation[]): Json {
  const body = structuredClone(sample) as { [key: string]: Json };
  body.crmReferralId = `CRM-PROP-${process.pid}-${crmIds++}`;
  for (const m of mutations) {
    const path = m.kind === 'add-unknown' ? [...m.path, m.key] : m.path;
    let parent: Json = body;
    for (const key of path.slice(0, -1)) {
      parent = parent !== null && typeof parent === 'object' ? ((parent as Record<string, Json>)[key] ?? null) : null;
    }
    if (parent === null || typeof parent !== 'object') continue;
    const last = path.at(-1)!;
    if (m.kind === 'remove') {
      delete (parent as Record<string, Json>)[last];
    } else {
      Object.defineProperty(parent, last, { value: m.value, enumerable: true, writable: true, configurable: true });
    }
  }
  return body;
}

const runs = (numRuns: number) => ({ seed, numRuns, endOnFailure: true });

// ------------------------------------------------------------------------------------------------------------

describe('POST /referrals, whatever it is sent', () => {
  it('never answers 5xx to a referral with fields removed, retyped or added, and accepts only valid ones', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { maxLength: 3 }), contentType, async (mutations, type) => {
        const body = mutatedReferral(mutations);
        const text = JSON.stringify(body);
        const answer = await post(Buffer.from(text), type);
        if (answer.status === 201) accepted++;
        expectContract(answer, body);
      }),
      runs(160),
    );
    // The property saw both sides: valid referrals accepted, broken ones refused.
    expect(accepted).toBeGreaterThan(0);
  }, 90_000);

  it('never answers 5xx to arbitrary JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), fc.constantFrom(...JSON_TYPES), async (value, type) => {
        const text = JSON.stringify(value);
        expectContract(await post(Buffer.from(text), type), JSON.parse(text));
      }),
      runs(80),
    );
  }, 60_000);

  it('never answers 5xx to random text or bytes', async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
      fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
      fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
      // JSON text cut short, or with garbage after it.
      fc
        .tuple(fc.integer({ min: 0, max: 600 }), fc.string({ maxLength: 5 }))
        .map(([cut, tail]) => Buffer.from(JSON.stringify(sample).slice(0, cut) + tail)),
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, async (bytes, type) => {
        expectContract(await post(bytes, type), parsedOrUndefined(bytes.toString('utf8')));
      }),
      runs(80),
    );
  }, 60_000);

  it.each([
    ['nested 100,000 deep', `{"case":{"determinations":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`],
    ['a key repeated with two values', '{"consentToShare":true,"consentToShare":false}'],
    ['a __proto__ key', `{"__proto__":{"consentToShare":true},"crmReferralId":"CRM-PROTO-1"}`],
    ['a byte-order mark before the JSON', `\ufeff${JSON.stringify({ ...sample, crmReferralId: 'CRM-BOM-1' })}`],
    ['a number too large for a double', '{"crmReferralId":1e400}'],
    ['just under the 64 KB limit', JSON.stringify({ ...sample, padding: 'x'.repeat(64 * 1024 - 700) })],
    ['over the 64 KB limit', JSON.stringify({ ...sample, padding: 'x'.repeat(65 * 1024) })],
    // An unknown field whose name is empty, or only spaces: the refusal must still say which field.
    ['an unknown field named ""', JSON.stringify({ ...sample, crmReferralId: 'CRM-EMPTY-KEY-1', '': 1 })],
    ['an unknown field named " "', JSON.stringify({ ...sample, crmReferralId: 'CRM-EMPTY-KEY-2', ' ': 1 })],
  ])(
    'answers %s within the contract',
    async (_label, text) => {
      expectContract(await post(Buffer.from(text), 'application/json'), parsedOrUndefined(text));
    },
    30_000,
  );
});

describe('GET /referrals/{id}, whatever the id', () => {
  it('never answers 5xx and refuses an unknown id naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })),
        async (id) => {
          const res = await fetch(`${stack.apiUrl}/referrals/${encodeURIComponent(id)}`);
          const json = (await res.json()) as unknown;
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.headers.get('content-type')).toBe('application/problem+json');
            expect(ProblemSchema.parse(json).issues.length).toBeGreaterThan(0);
          }
        },
      ),
      runs(60),
    );
  }, 60_000);
});
