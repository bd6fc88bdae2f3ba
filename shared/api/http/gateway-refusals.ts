import type { ProblemInit } from './problem';
import { problemBody } from './problem';

/*
 * Refusals made before a handler runs — by API Gateway, its WAF, or the local stack's HTTP adapter in
 * their place — as the same RFC 9457 problems the handlers send, so a client reads one shape.
 */

export const NOT_JSON: ProblemInit = {
  status: 400,
  kind: 'invalid-referral',
  detail: 'The body is not a JSON object',
  issues: [{ field: 'body', rule: 'json', message: 'must be a JSON object' }],
};

export const THROTTLED: ProblemInit = {
  status: 429,
  kind: 'throttled',
  detail: 'Too many requests; retry with the same body',
  issues: [{ field: 'request', rule: 'rate', message: 'slow down' }],
};

/** A body over `maxBytes`: the WAF's limit on POST /referrals, API Gateway's 10 MB on any request. */
export function tooLargeProblem(maxBytes: number): Record<string, unknown> {
  return problemBody({
    status: 413,
    kind: 'too-large',
    detail: 'The request body is too large',
    issues: [{ field: 'body', rule: 'max-bytes', message: `must be at most ${maxBytes} bytes` }],
  });
}

/** API Gateway's own payload limit (REST APIs): 10 MB. */
export const GATEWAY_MAX_BYTES = 10 * 1024 * 1024;
