import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward } from './forward';
import type { LocalStack } from '../../../infra/local/stack';
import { LOCAL_CREDENTIALS } from '../../../infra/local/stack';
import { documentClient } from '../../../shared/adapters/aws-clients';

/** One DynamoDB request as the proxy sees it: the operation (X-Amz-Target without its prefix) and the JSON body. */
export interface DynamoRequest {
  /** e.g. 'UpdateItem', 'PutItem', 'Query'. */
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

interface FaultRule {
  readonly matches: (request: DynamoRequest) => boolean;
  /** How the request is answered: DynamoDB's 500, or (BatchGetItem) every key handed back unprocessed. */
  readonly answer: 'internal-error' | 'unprocessed';
  /** Matching requests let through before the failures start. */
  skip: number;
  /** Matching requests still to fail. */
  fail: number;
}

/**
 * Stands between the handlers and dynalite and answers chosen requests as DynamoDB does when it has
 * an internal failure (HTTP 500, InternalServerError) — the one fault dynalite cannot be asked for.
 * A failure here is the write that never happened, exactly as if the Lambda had died just before it.
 * The SDK retries a 500 (DynamoDB's client makes 4 attempts in this SDK version: see sdkAttempts), so
 * a rule must fail that many matches for the caller to see the error. Every other request is forwarded
 * untouched.
 *
 * The stack must be started with `env: { AWS_ENDPOINT_URL_DYNAMODB: await proxy.listen() }` and
 * `seedDemoDirectory: false` (the proxy learns its target only once the stack has started), then
 * `proxy.target = stack.dynamoUrl` before anything reads the tables.
 */
export class DynamoFaultProxy {
  private server?: Server;
  private rules: FaultRule[] = [];
  target = '';
  /** Every request that went through, in order of arrival (the failed ones too). */
  readonly seen: DynamoRequest[] = [];
  /** Requests answered with an injected fault (a 500, or all keys unprocessed). */
  failed = 0;

  async listen(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  /** Fails `times` requests that match, after letting `skip` matching requests through. */
  failMatching(matches: (request: DynamoRequest) => boolean, times: number, skip = 0): void {
    this.rules.push({ matches, skip, fail: times, answer: 'internal-error' });
  }

  /**
   * Answers `times` matching BatchGetItem requests as DynamoDB does when it is throttled or its answer
   * would pass 16 MB: HTTP 200, no items, every requested key under UnprocessedKeys. The SDK does not
   * retry that; the caller must.
   */
  unprocessMatching(matches: (request: DynamoRequest) => boolean, times: number): void {
    this.rules.push({
      matches: (r) => r.operation === 'BatchGetItem' && matches(r),
      skip: 0,
      fail: times,
      answer: 'unprocessed',
    });
  }

  /** Drops every rule; requests are forwarded untouched again. */
  clear(): void {
    this.rules = [];
  }

  /** Requests that went through (failed or not) matching the predicate. */
  count(matches: (request: DynamoRequest) => boolean): number {
    return this.seen.filter(matches).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      // Not JSON: forwarded as it came, and dynalite answers it.
    }
    const seen = { operation, body };
    this.seen.push(seen);

    const rule = this.rules.find((r) => r.fail > 0 && r.matches(seen));
    if (rule) {
      if (rule.skip > 0) {
        rule.skip--;
      } else {
        rule.fail--;
        this.failed++;
        if (rule.answer === 'unprocessed') {
          const requested = (body.RequestItems ?? {}) as Record<string, unknown>;
          res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': 'injected-fault' });
          res.end(
            JSON.stringify({
              Responses: Object.fromEntries(Object.keys(requested).map((table) => [table, []])),
              UnprocessedKeys: requested,
            }),
          );
          return;
        }
        res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': 'injected-fault' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: 'Internal server error (injected by DynamoFaultProxy)',
          }),
        );
        return;
      }
    }

    forward(this.target, req, res, raw);
  }
}

/** The attribute values of an UpdateItem or PutItem body as DynamoDB JSON, for matching on. */
export function keyOf(request: DynamoRequest): Record<string, unknown> {
  return (request.body.Key ?? {}) as Record<string, unknown>;
}

/** The S value of the request's key attribute, e.g. the referralId of an UpdateItem. */
export function keyString(request: DynamoRequest, attribute: string): string | undefined {
  const value = keyOf(request)[attribute] as { S?: string } | undefined;
  return value?.S;
}

/** True for an UpdateItem whose UpdateExpression contains the given text. */
export function isUpdate(request: DynamoRequest, expression: RegExp | string): boolean {
  if (request.operation !== 'UpdateItem') return false;
  const update = String(request.body.UpdateExpression ?? '');
  return typeof expression === 'string' ? update.includes(expression) : expression.test(update);
}

/** The value bound to an expression placeholder such as ':state', as DynamoDB JSON ({ S: 'sent' }). */
export function valueOf(request: DynamoRequest, placeholder: string): unknown {
  const values = (request.body.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  return values[placeholder];
}

/** How many attempts the handlers' DynamoDB client makes at a request answered 500: their own config, read back. */
export async function sdkAttempts(stack: Pick<LocalStack, 'config'>): Promise<number> {
  const client = documentClient(stack.config.routing, LOCAL_CREDENTIALS);
  try {
    return await client.config.maxAttempts();
  } finally {
    client.destroy();
  }
}
