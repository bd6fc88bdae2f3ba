import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { fieldProblem, HttpProblem } from '../../shared/api/http/problem';
import { bodyBytes, headerOf, json, text } from '../../shared/api/http/responses';
import { createRouter, errorName, route } from '../../shared/api/http/router';
import { openApiDocument } from '../../shared/api/openapi';
import { atColdStart } from '../../shared/wiring/cold-start';
import type { IntakeApiDeps } from '../../shared/wiring/intake';
import { intakeApiWiring } from '../../shared/wiring/intake';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import { MAX_REFERRAL_BODY_BYTES } from '../../shared/domain/referral-request.schema';
import { accepted, statusView } from '../../shared/api/referral-views';
import { receiveReferral } from '../../shared/use-cases/receive-referral';

/** The intake API: POST /referrals, GET /referrals/{id}, GET /openapi.json. */
export function createIntakeApiHandler(deps: IntakeApiDeps) {
  const openApi = JSON.stringify(openApiDocument());
  return createRouter(
    [
      route('POST', '/referrals', ({ event }) => postReferral(deps, event)),
      route('GET', '/referrals/{referralId}', ({ params }) => getReferral(deps, params.referralId!)),
      route('GET', '/openapi.json', async () => text(200, 'application/json', openApi)),
    ],
    {
      internalDetail: 'The referral could not be processed; retry with the same body',
      // Logged once, by name and frames only: messages of lower layers are not checked for PII.
      onUnexpected: (error, { event }) =>
        deps.log.error('Intake request failed', { requestId: event.requestContext?.requestId, ...errorName(error) }),
    },
  );
}

async function postReferral(deps: IntakeApiDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const contentType = headerOf(event, 'content-type') ?? '';
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(contentType)) {
    throw fieldProblem(
      415,
      'unsupported-media-type',
      { field: 'Content-Type', rule: 'application/json', message: 'must be application/json' },
      'Send the referral as JSON',
    );
  }
  const raw = bodyBytes(event);
  if (raw.length > MAX_REFERRAL_BODY_BYTES) {
    throw fieldProblem(
      413,
      'too-large',
      { field: 'body', rule: 'max-bytes', message: `must be at most ${MAX_REFERRAL_BODY_BYTES} bytes` },
      'The referral is too large',
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw fieldProblem(
      400,
      'invalid-referral',
      { field: 'body', rule: 'json', message: 'must be a JSON object' },
      'The body is not JSON',
    );
  }

  const result = await receiveReferral(deps, body);
  switch (result.kind) {
    case 'invalid':
      deps.log.info('Referral refused', { rules: result.issues.map((i) => `${i.field}:${i.rule}`) });
      throw new HttpProblem({
        status: 422,
        kind: 'invalid-referral',
        detail: `${result.issues.length} problem(s), each named in issues`,
        issues: result.issues,
      });
    case 'conflict':
      throw new HttpProblem({
        status: 409,
        kind: 'conflict',
        detail: 'This crmReferralId was already used for a referral with a different body',
        issues: [
          { field: 'crmReferralId', rule: 'same-body-on-retry', message: 'a retry must repeat the first body exactly' },
        ],
        extensions: { referralId: result.referralId },
      });
    case 'created':
    case 'existing':
      return json(result.kind === 'created' ? 201 : 200, accepted(result.referral), {
        Location: `/referrals/${result.referral.referralId}`,
      });
  }
}

async function getReferral(deps: IntakeApiDeps, referralId: string): Promise<APIGatewayProxyResult> {
  const referral = /^ref_[a-z2-7]{26}$/.test(referralId) ? await deps.referrals.get(referralId) : undefined;
  if (!referral) {
    throw fieldProblem(
      404,
      'not-found',
      { field: 'referralId', rule: 'exists', message: 'no referral has this id' },
      'No such referral',
    );
  }
  return json(200, statusView(referral));
}

const ready = atColdStart(async () => createIntakeApiHandler(await depsFromEnvironment(intakeApiWiring)));

/** The Lambda entry: adapters built once per container from the validated environment. */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => (await ready())(event);
