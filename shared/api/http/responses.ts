import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** JSON, never cached: every answer of these APIs is about one moment's state. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** Text of any media type (CSV, SVG, HTML built elsewhere). */
export function text(
  statusCode: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store', ...headers }, body };
}

/** Bytes (an .xlsx): API Gateway passes binary bodies base64-encoded. */
export function binary(statusCode: number, contentType: string, body: Buffer): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

/** A request header by name, whatever its case (API Gateway passes them as the client sent them). */
export function headerOf(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const found = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return found?.[1] ?? undefined;
}

/** The request body as bytes (API Gateway base64-encodes binary bodies). */
export function bodyBytes(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Buffer {
  return Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
}
