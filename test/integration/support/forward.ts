import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';

/**
 * Passes a request a fault proxy let through on to the real stand-in, untouched (502 if it is gone).
 * With `loseAnswer`, the stand-in gets the request but its answer never comes back: the connection
 * is reset, as when a network fails between a server that acted and its client.
 */
export function forward(
  target: string,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  options: { loseAnswer?: boolean } = {},
): void {
  const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (up) => {
    if (options.loseAnswer) {
      up.resume();
      up.on('end', () => req.socket.resetAndDestroy());
      return;
    }
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  upstream.end(body);
}
