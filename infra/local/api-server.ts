import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { GATEWAY_MAX_BYTES, tooLargeProblem } from '../../shared/api/http/gateway-refusals';
import { PROBLEM_CONTENT_TYPE } from '../../shared/api/http/problem';
import type { InFlight } from './in-flight';

export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * Serves a Lambda proxy handler over HTTP, as API Gateway (REST, proxy integration) would:
 * each request becomes an APIGatewayProxyEvent, each result an HTTP response.
 */
export async function serveApi(
  handler: ApiHandler,
  port: number,
  host = '127.0.0.1',
  inFlight?: InFlight,
): Promise<Server> {
  const server = createServer((req, res) => {
    const work = respond(handler, req, res);
    void (inFlight ? inFlight.track(work) : work);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export function urlOf(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address === '::' ? 'localhost' : address}:${port}`;
}

async function respond(handler: ApiHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > GATEWAY_MAX_BYTES) {
        // API Gateway refuses payloads over 10 MB before a Lambda sees them (its REQUEST_TOO_LARGE answer); so does this server.
        res.writeHead(413, { 'Content-Type': PROBLEM_CONTENT_TYPE });
        res.end(JSON.stringify(tooLargeProblem(GATEWAY_MAX_BYTES)));
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const result = await handler(toEvent(req, Buffer.concat(chunks)));
    const headers: Record<string, string | number | boolean> = { ...(result.headers ?? {}) };
    res.writeHead(result.statusCode, headers as Record<string, string>);
    res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
  } catch {
    // The handler maps its own errors; reaching here is a bug in this adapter, answered as API Gateway would.
    res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: 'Internal server error' }));
  }
}

function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  url.searchParams.forEach((value, key) => {
    query[key] = value;
    (multiQuery[key] ??= []).push(value);
  });
  const method = req.method ?? 'GET';
  const now = Date.now();
  return {
    resource: url.pathname,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters: null,
    stageVariables: null,
    body: body.length ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      path: url.pathname,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: url.pathname,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}
