import { z } from 'zod';
import { MAX_REFERRAL_BODY_BYTES, ReferralRequestSchema } from '../domain/referral-request.schema';
import { ErrorResponseSchema, ReferralAcceptedSchema, ReferralStatusViewSchema } from './referral-api.schema';

const schema = (s: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const json = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
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
            '400': json('Error', 'The body is not JSON'),
            '409': json('Error', 'The crmReferralId was used before with a different body'),
            '413': json('Error', 'The body is larger than 64 KB'),
            '415': json('Error', 'Content-Type is not application/json'),
            '422': json('Error', 'A field breaks a rule; each is named in issues'),
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
            '404': json('Error', 'No such referral'),
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
        Error: schema(ErrorResponseSchema, 'output'),
      },
    },
  };
}
