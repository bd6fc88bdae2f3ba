import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ProblemInit } from './problem';
import { HttpProblem, problem } from './problem';

/*
 * The HTTP kit every API handler routes with (API Gateway REST, Lambda proxy integration, v1 events).
 *
 * Why our own and not Powertools' event handler (@aws-lambda-powertools/event-handler, REST Router):
 * its newest release (2.35.0) pins @aws-lambda-powertools/commons 2.35.0 while our logger and metrics
 * are 2.36.0, so every API bundle would carry two copies of commons; its REST resolver is marked
 * "under active development and may undergo significant changes"; it turns each event into a web
 * Request/Response and back, and its errors are not RFC 9457, so every error would need our own
 * handler anyway. What we need — a route table, 404/405 as problems, problem+json, header lookup,
 * ETags — is the ~200 lines of shared/api/http/.
 */

export interface ApiRequest {
  readonly event: APIGatewayProxyEvent;
  /** The path without trailing slashes ('/' stays '/'). */
  readonly path: string;
  /** Path parameters as sent (still percent-encoded; see shared/api/path-segment.ts). */
  readonly params: Readonly<Record<string, string>>;
  query(name: string): string | undefined;
}

export type RouteHandler = (request: ApiRequest) => Promise<APIGatewayProxyResult>;

export interface Route {
  readonly methods: readonly string[];
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handle: RouteHandler;
}

/**
 * `route('GET', '/admin/organizations/{organizationId}', handle, { organizationId: /[a-z0-9-]+/ })`:
 * a parameter matches `[^/]+` unless given a pattern; a path no pattern matches is a 404.
 */
export function route(
  methods: string | readonly string[],
  template: string,
  handle: RouteHandler,
  params: Readonly<Record<string, RegExp>> = {},
): Route {
  const names: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]!);
      // Named, so groups inside a parameter's own pattern do not shift the others.
      return `(?<${param[1]!}>${params[param[1]!]?.source ?? '[^/]+'})`;
    })
    .join('/');
  return {
    methods: typeof methods === 'string' ? [methods] : methods,
    pattern: new RegExp(`^${source}$`),
    names,
    handle,
  };
}

export interface RouterOptions {
  /** A domain error as a problem (e.g. NotFoundError → 404); undefined for errors it does not know. */
  readonly problemOf?: (error: unknown) => ProblemInit | undefined;
  /** Called with any other error before the 500: log it by name and frames, never its message (PII). */
  readonly onUnexpected: (error: unknown, request: ApiRequest) => void;
  /** The 500's detail. */
  readonly internalDetail?: string;
  /**
   * The answer to no route (404), not this method (405, `allow` set) or an unexpected error (500):
   * a problem unless given (the HTML pages answer a page, see htmlFallback).
   */
  readonly fallback?: (status: 404 | 405 | 500, request: ApiRequest, allow: readonly string[]) => APIGatewayProxyResult;
}

/** First route whose pattern and method match, in order; a matching path with another method is a 405. */
export function createRouter(routes: readonly Route[], options: RouterOptions) {
  return async function handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const path = event.path.replace(/\/+$/, '') || '/';
    const query = (name: string) => event.queryStringParameters?.[name] ?? undefined;
    const allow = new Set<string>();
    let request: ApiRequest = { event, path, params: {}, query };
    try {
      for (const candidate of routes) {
        const match = candidate.pattern.exec(path);
        if (!match) continue;
        if (!candidate.methods.includes(event.httpMethod)) {
          for (const m of candidate.methods) allow.add(m);
          continue;
        }
        const params = Object.fromEntries(candidate.names.map((name) => [name, match.groups![name]!]));
        request = { event, path, params, query };
        return await candidate.handle(request);
      }
      const allowed = [...allow];
      if (options.fallback) return options.fallback(allowed.length ? 405 : 404, request, allowed);
      if (allowed.length) {
        return problem(
          {
            status: 405,
            kind: 'method-not-allowed',
            detail: `Use ${allowed.join(' or ')} on ${path}`,
            issues: [{ field: 'method', rule: allowed.join('|'), message: `must be ${allowed.join(' or ')}` }],
            instance: path,
          },
          { Allow: allowed.join(', ') },
        );
      }
      return problem({
        status: 404,
        kind: 'not-found',
        detail: `${event.httpMethod} ${path} is not a route of this API`,
        issues: [{ field: 'path', rule: 'known-route', message: `${path} is not a route of this API` }],
        instance: path,
      });
    } catch (error) {
      const known = error instanceof HttpProblem ? error.init : options.problemOf?.(error);
      if (known) return problem({ instance: path, ...known }, error instanceof HttpProblem ? error.headers : {});
      options.onUnexpected(error, request);
      if (options.fallback) return options.fallback(500, request, []);
      const requestId = event.requestContext?.requestId;
      return problem({
        status: 500,
        kind: 'internal',
        detail: options.internalDetail ?? 'The request could not be processed; try again',
        instance: path,
        ...(requestId && { extensions: { requestId } }),
      });
    }
  };
}

/** What may be logged of an unexpected error: its name and first frames, never its message (it may carry PII). */
export function errorName(error: unknown): { errorName: string; frames?: string } {
  if (!(error instanceof Error)) return { errorName: 'unknown' };
  return { errorName: error.name, frames: error.stack?.split('\n').slice(1, 4).join(' | ') };
}
