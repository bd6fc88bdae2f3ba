import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';

/** Passes a request a fault proxy let through on to the real stand-in, untouched (502 if it is gone). */
export function forward(target: string, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  upstream.end(body);
}
