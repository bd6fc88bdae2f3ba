import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE } from './http/problem';
import { MAX_REFERRAL_BODY_BYTES, ReferralRequestSchema } from '../domain/referral-request.schema';
import { ProblemSchema, ReferralAcceptedSchema, ReferralStatusViewSchema } from './referral-api.schema';

const schema = (s: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const json = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

/** A refusal: RFC 9457 problem details, the `type` URI naming its kind. */
const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** The OpenAPI 3.1 document of the intake API, generated from the zod schemas the handler validates with. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'PAL referrals intake API',
      version: '1',
      description:
        "MNsure's contact-center CRM posts Preferred Assister Lead referrals here. Bodies are JSON of at most " +
        `${MAX_REFERRAL_BODY_BYTES} bytes; every refusal names each bad field and the rule it breaks. ` +
        `Refusals are RFC 9457 problem details (${PROBLEM_CONTENT_TYPE}): \`type\` is a URI under ` +
        `${PROBLEM_TYPE_BASE} naming the kind of refusal, \`issues\` lists each bad field and its rule. ` +
        'On AWS every route requires IAM (SigV4) authorization.',
    },
    paths: {
      '/referrals': {
        post: {
          operationId: 'createReferral',
          summary: 'Create a referral (idempotent on crmReferralId)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ReferralRequest' } } },
          },
          responses: {
            '201': json('ReferralAccepted', 'Stored; the lead is being routed'),
            '200': json('ReferralAccepted', 'A retry of an earlier request with the same crmReferralId and body'),
            '400': problem('The body is not JSON'),
            '409': problem('The crmReferralId was used before with a different body'),
            '413': problem('The body is larger than 64 KB'),
            '405': problem('Another method than POST (the Allow header names it)'),
            '415': problem('Content-Type is not application/json'),
            '422': problem('A field breaks a rule; each is named in issues'),
            '429': problem('Throttled by the gateway; retry later with the same body'),
            '500': problem('Not processed; retry with the same body (quote requestId if it persists)'),
          },
        },
      },
      '/referrals/{referralId}': {
        get: {
          operationId: 'getReferral',
          summary: "A referral's status and routing decision (no consumer contact details)",
          parameters: [{ name: 'referralId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': json('ReferralStatus', 'The referral'),
            '404': problem('No such referral'),
            '405': problem('Another method than GET (the Allow header names it)'),
            '500': problem('Not processed; try again'),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1' } },
        },
      },
    },
    components: {
      schemas: {
        ReferralRequest: schema(ReferralRequestSchema, 'input'),
        ReferralAccepted: schema(ReferralAcceptedSchema, 'output'),
        ReferralStatus: schema(ReferralStatusViewSchema, 'output'),
        Problem: schema(ProblemSchema, 'output'),
      },
    },
  };
}
