import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward } from './forward';

/**
 * Stands between the handlers and the SES stand-in and answers some requests as SES does when
 * a sender exceeds its sending rate (HTTP 400, code Throttling) — the one SES behaviour that cannot
 * run here. It can also reset every request after the first on a connection, which is what a
 * client sees when it reuses a connection the server closed while idle (a race that otherwise shows
 * only under load). Every other request is forwarded untouched.
 */
export class SesFaultProxy {
  private server?: Server;
  target = '';
  /** Decides, per SendEmail request (its number, its form-encoded body), whether to answer Throttling instead of forwarding. */
  throttle: (requestNumber: number, body: string) => boolean = () => false;
  /** Decides, per SendEmail request, whether SES gets it but its answer is lost (a reset instead). */
  loseAnswer: (requestNumber: number) => boolean = () => false;
  answersLost = 0;
  /** When true, a request on a connection that already carried one is answered with a reset. */
  resetReusedConnections = false;
  requests = 0;
  throttled = 0;
  resets = 0;
  /** TCP connections the handlers opened to SES. */
  connections = 0;
  private readonly servedOn = new WeakMap<object, number>();

  async listen(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const served = (this.servedOn.get(req.socket) ?? 0) + 1;
    this.servedOn.set(req.socket, served);
    if (this.resetReusedConnections && served > 1) {
      this.resets++;
      req.socket.resetAndDestroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const text = body.toString('utf8');
    const isSend = /Action=SendEmail/.test(text);
    const requestNumber = isSend ? ++this.requests : 0;
    if (isSend && this.throttle(requestNumber, text)) {
      this.throttled++;
      res.writeHead(400, { 'Content-Type': 'text/xml' });
      res.end(
        '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type>' +
          '<Code>Throttling</Code><Message>Maximum sending rate exceeded.</Message></Error>' +
          '<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>',
      );
      return;
    }
    const loseAnswer = isSend && this.loseAnswer(requestNumber);
    if (loseAnswer) this.answersLost++;
    forward(this.target, req, res, body, { loseAnswer });
  }
}
