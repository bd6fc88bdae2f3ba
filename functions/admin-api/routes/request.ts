import type { ApiRequest } from '../../../shared/api/http/router';
import { fieldProblem } from '../../../shared/api/http/problem';
import { RuleViolation } from '../../../shared/domain/errors';
import { DEFAULT_LOOKBACK_DAYS } from '../../../shared/use-cases/admin/ops-figures';

/** The caller, for the audit: the IAM identity on AWS (the local stack sets its own). */
export function actorOf(request: ApiRequest): string {
  return request.event.requestContext?.identity?.userArn ?? 'unknown';
}

/** The JSON body; a 400 problem when it is not JSON. */
export function bodyOf(request: ApiRequest): unknown {
  try {
    return JSON.parse(request.event.body ?? '{}') as unknown;
  } catch {
    throw fieldProblem(400, 'invalid-body', { field: 'body', rule: 'json', message: 'must be a JSON object' });
  }
}

export function bodyField(request: ApiRequest, name: string): unknown {
  const body = bodyOf(request);
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

/** ?days=: how far back coverage, undelivered leads and the ops page look. */
export function lookback(request: ApiRequest): number {
  const days = Number(request.query('days') ?? DEFAULT_LOOKBACK_DAYS);
  if (!Number.isInteger(days) || days < 1 || days > 366)
    throw new RuleViolation('days', 'range', 'must be a whole number of days from 1 to 366');
  return days;
}
