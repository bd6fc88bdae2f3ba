import type { APIGatewayProxyResult } from 'aws-lambda';
import type { FieldIssue } from '../../domain/validation';

/**
 * Errors as RFC 9457 problem details (application/problem+json). `type` is an absolute URI under
 * PROBLEM_TYPE_BASE, one per kind of refusal below; `title` is that kind's fixed summary; `detail` says
 * what went wrong this time; `instance` is the request path. `issues` (an extension member) names each
 * refused field and the rule it breaks.
 */
export const PROBLEM_TYPE_BASE = 'https://pal.example.org/problems/';

export const PROBLEM_TITLES = {
  'invalid-referral': 'The referral was refused',
  'invalid-organization': 'The organization was refused',
  'invalid-body': 'The request body cannot be read',
  'invalid-header': 'A request header is malformed',
  'invalid-path': 'The request path is malformed',
  'rule-violation': 'The request breaks a rule',
  'not-found': 'No such resource',
  'method-not-allowed': 'Method not allowed on this resource',
  'unsupported-media-type': 'Unsupported media type',
  'too-large': 'The request body is too large',
  conflict: 'Conflicts with an earlier request',
  'stale-copy': 'The copy being saved is out of date',
  'concurrent-update': 'Changed by another request meanwhile',
  forbidden: 'Not allowed',
  throttled: 'Too many requests',
  internal: 'Internal error',
} as const;

export type ProblemKind = keyof typeof PROBLEM_TITLES;
export const PROBLEM_KINDS = Object.keys(PROBLEM_TITLES) as [ProblemKind, ...ProblemKind[]];
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const problemType = (kind: ProblemKind): string => `${PROBLEM_TYPE_BASE}${kind}`;

export interface ProblemInit {
  readonly status: number;
  readonly kind: ProblemKind;
  readonly detail: string;
  readonly issues?: readonly FieldIssue[];
  readonly instance?: string;
  /** More extension members (e.g. the referralId a 409 conflicts with, the requestId of a 500). */
  readonly extensions?: Readonly<Record<string, string>>;
}

/** A problem a route throws; the router answers it (filling `instance` with the request path). */
export class HttpProblem extends Error {
  constructor(
    readonly init: ProblemInit,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(init.detail);
    this.name = 'HttpProblem';
  }
}

/** The problem document itself (also the body of API Gateway's own refusals, see infra/aws). */
export function problemBody(init: ProblemInit): Record<string, unknown> {
  return {
    type: problemType(init.kind),
    title: PROBLEM_TITLES[init.kind],
    status: init.status,
    detail: init.detail,
    ...(init.instance !== undefined && { instance: init.instance }),
    issues: init.issues ?? [],
    ...init.extensions,
  };
}

export function problem(init: ProblemInit, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: init.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(problemBody(init)),
  };
}

/** A problem naming one field and one rule, the usual case. */
export function fieldProblem(
  status: number,
  kind: ProblemKind,
  issue: FieldIssue,
  detail: string = issue.message,
): HttpProblem {
  return new HttpProblem({ status, kind, detail, issues: [issue] });
}
