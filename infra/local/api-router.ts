import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ApiHandler } from './api-server';

/**
 * API Gateway's routing, locally: each path prefix goes to the Lambda that owns it on AWS.
 * Routes are added after the server listens, because handlers need the server's URL.
 */
export class ApiRouter {
  private readonly routes: { prefix: string; handler: ApiHandler }[] = [];

  add(prefix: string, handler: ApiHandler): void {
    this.routes.push({ prefix, handler });
    this.routes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  readonly handle = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const route = this.routes.find(
      (r) => event.path === r.prefix || event.path.startsWith(`${r.prefix}/`) || r.prefix === '/',
    );
    if (!route) return { statusCode: 503, body: 'Starting' };
    return route.handler(event);
  };
}
