import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { openApiDocument } from '../../shared/api/openapi';
import type { ReferralStatusView } from '../../shared/api/referral-api.schema';
import { atColdStart } from '../../shared/wiring/cold-start';
import type { IntakeApiDeps } from '../../shared/wiring/intake';
import { intakeApiWiring } from '../../shared/wiring/intake';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import type { Referral } from '../../shared/domain/referral';
import { MAX_REFERRAL_BODY_BYTES } from '../../shared/domain/referral-request.schema';
import type { FieldIssue } from '../../shared/domain/validation';
import { receiveReferral } from '../../shared/use-cases/receive-referral';

/** The intake API: POST /referrals, GET /referrals/{id}, GET /openapi.json. */
export function createIntakeApiHandler(deps: IntakeApiDeps) {
  const openApi = JSON.stringify(openApiDocument());
  return async function handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const requestId = event.requestContext?.requestId;
    try {
      const path = event.path.replace(/\/+$/, '') || '/';
      if (path === '/referrals') {
        return event.httpMethod === 'POST' ? await postReferral(deps, event) : methodNotAllowed('POST');
      }
      const match = /^\/referrals\/([^/]+)$/.exec(path);
      if (match) return event.httpMethod === 'GET' ? await getReferral(deps, match[1]!) : methodNotAllowed('GET');
      if (path === '/openapi.json' && event.httpMethod === 'GET') {
        return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: openApi };
      }
      return problem(404, 'not-found', 'No such resource', [
        { field: 'path', rule: 'known-route', message: `${path} is not a route of this API` },
      ]);
    } catch (error) {
      // Logged once, by name and frames only: messages of lower layers are not checked for PII.
      deps.log.error('Intake request failed', {
        requestId,
        errorName: error instanceof Error ? error.name : 'unknown',
        frames: error instanceof Error ? error.stack?.split('\n').slice(1, 4).join(' | ') : undefined,
      });
      return problem(500, 'internal', 'The referral could not be processed; retry with the same body', [], requestId);
    }
  };
}

async function postReferral(deps: IntakeApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(contentType)) {
    return problem(415, 'unsupported-media-type', 'Send the referral as JSON', [
      { field: 'Content-Type', rule: 'application/json', message: 'must be application/json' },
    ]);
  }
  const raw =
    event.body === null ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_REFERRAL_BODY_BYTES) {
    return problem(413, 'too-large', 'The referral is too large', [
      { field: 'body', rule: 'max-bytes', message: `must be at most ${MAX_REFERRAL_BODY_BYTES} bytes` },
    ]);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return problem(400, 'invalid-referral', 'The body is not JSON', [
      { field: 'body', rule: 'json', message: 'must be a JSON object' },
    ]);
  }

  const result = await receiveReferral(deps, body);
  switch (result.kind) {
    case 'invalid':
      deps.log.info('Referral refused', { rules: result.issues.map((i) => `${i.field}:${i.rule}`) });
      return problem(
        422,
        'invalid-referral',
        `The referral was refused: ${result.issues.length} problem(s)`,
        result.issues,
      );
    case 'conflict':
      return problem(
        409,
        'conflict',
        'This crmReferralId was already used for a referral with a different body',
        [{ field: 'crmReferralId', rule: 'same-body-on-retry', message: 'a retry must repeat the first body exactly' }],
        undefined,
        result.referralId,
      );
    case 'created':
    case 'existing':
      return respond(result.kind === 'created' ? 201 : 200, accepted(result.referral), {
        Location: `/referrals/${result.referral.referralId}`,
      });
  }
}

async function getReferral(deps: IntakeApiDeps, referralId: string): Promise<APIGatewayProxyResult> {
  const referral = /^ref_[a-z2-7]{26}$/.test(referralId) ? await deps.referrals.get(referralId) : undefined;
  if (!referral) {
    return problem(404, 'not-found', 'No such referral', [
      { field: 'referralId', rule: 'exists', message: 'no referral has this id' },
    ]);
  }
  return respond(200, statusView(referral), { 'Cache-Control': 'no-store' });
}

function accepted(r: Referral) {
  return {
    referralId: r.referralId,
    crmReferralId: r.crmReferralId,
    status: r.status,
    href: `/referrals/${r.referralId}`,
  };
}

/** What GET returns: status and routing, and none of the consumer's contact details. */
function statusView(r: Referral): ReferralStatusView {
  return {
    referralId: r.referralId,
    crmReferralId: r.crmReferralId,
    status: r.status,
    receivedAt: r.receivedAt,
    referredAt: r.referredAt,
    county: { fips: r.consumer.countyFips, name: r.consumer.countyName },
    assisterType: r.assisterType,
    assisterTypeRule: r.assisterTypeRule,
    ...(r.routing && { routing: { ...r.routing, candidates: [...r.routing.candidates] } }),
    ...(r.lead && {
      lead: {
        state: r.lead.state,
        attempts: r.lead.attempts,
        ...(r.lead.emailedAt && { emailedAt: r.lead.emailedAt }),
        ...(r.lead.lastErrorCode && { lastErrorCode: r.lead.lastErrorCode }),
      },
    }),
  };
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const found = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name);
  return found?.[1] ?? undefined;
}

function respond(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

function problem(
  statusCode: number,
  error: string,
  message: string,
  issues: FieldIssue[],
  requestId?: string,
  referralId?: string,
): APIGatewayProxyResult {
  return respond(statusCode, {
    error,
    message,
    issues,
    ...(referralId && { referralId }),
    ...(requestId && { requestId }),
  });
}

function methodNotAllowed(allowed: string): APIGatewayProxyResult {
  return {
    ...problem(405, 'method-not-allowed', `Use ${allowed} on this route`, [
      { field: 'method', rule: allowed, message: `must be ${allowed}` },
    ]),
    headers: { 'Content-Type': 'application/json', Allow: allowed },
  };
}

const ready = atColdStart(async () => createIntakeApiHandler(await depsFromEnvironment(intakeApiWiring)));

/** The Lambda entry: adapters built once per container from the validated environment. */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => (await ready())(event);
