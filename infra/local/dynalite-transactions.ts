import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * dynalite has no TransactWriteItems (UnknownOperationException); routing reserves capacity with one.
 * This gives a dynalite server the operation, with DynamoDB's all-or-nothing and isolation:
 * - every other request holds a shared lock while dynalite answers it; a transaction holds the lock
 *   alone, so no request sees its writes half done;
 * - under that lock each action runs as dynalite's own conditional single-item write (ReturnValues
 *   ALL_OLD keeps the image before); if any condition fails, the writes already made are put back
 *   and the answer is TransactionCanceledException with one CancellationReason per action, in order
 *   (`None` where the action alone would have passed), as DynamoDB answers;
 * - consumed capacity is dynalite's write units doubled, as DynamoDB bills transactional writes.
 * Not modelled: ConditionCheck actions, ClientRequestToken idempotency, TransactionConflict (a
 * transaction here never runs beside another).
 */
const API = 'DynamoDB_20120810';
const ACTION_OPERATIONS = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem' } as const;
type ActionKind = keyof typeof ACTION_OPERATIONS;
type Json = Record<string, unknown>;

export function withTransactions(server: Server): Server {
  const listeners = server.listeners('request') as RequestListener[];
  const dynaliteHandler = listeners[0]!;
  server.removeAllListeners('request');
  const lock = new ReadWriteLock();
  // Marks the transaction's own single-item requests: they run inside the lock it holds.
  const insider = randomUUID();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['x-local-transaction'] === insider) return dynaliteHandler(req, res);
    if (req.headers['x-amz-target'] === `${API}.TransactWriteItems`) {
      void lock.run(true, () =>
        transact(server, insider, req, res).catch((error: unknown) => {
          if (!res.headersSent) reply(res, 500, { __type: 'InternalServerError', message: String(error) });
        }),
      );
      return;
    }
    void lock.run(false, () => {
      const done = new Promise<void>((resolve) => res.once('close', resolve));
      dynaliteHandler(req, res);
      return done;
    });
  });
  return server;
}

async function transact(server: Server, insider: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
  const port = (server.address() as AddressInfo).port;
  const call = async (operation: string, body: Json) => {
    const answer = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `${API}.${operation}`,
        authorization: String(req.headers.authorization ?? ''),
        'x-amz-date': String(req.headers['x-amz-date'] ?? ''),
        'x-local-transaction': insider,
      },
      body: JSON.stringify(body),
    });
    return { ok: answer.ok, body: (await answer.json()) as Json };
  };

  const actions = (input.TransactItems ?? []) as Json[];
  if (actions.length === 0 || actions.length > 100 || actions.some((a) => actionOf(a) === undefined)) {
    return reply(res, 400, {
      __type: 'com.amazon.coral.validation#ValidationException',
      message:
        'TransactItems must hold 1 to 100 Put, Update or Delete actions (ConditionCheck is not modelled locally)',
    });
  }

  const undo: { table: string; key: Json; before?: Json }[] = [];
  const reasons: Json[] = [];
  const units = new Map<string, number>();
  for (const action of actions) {
    const [kind, params] = actionOf(action)!;
    const { ReturnValuesOnConditionCheckFailure: _, ...single } = params;
    const out = await call(ACTION_OPERATIONS[kind], {
      ...single,
      ReturnValues: 'ALL_OLD',
      ReturnConsumedCapacity: 'TOTAL',
    });
    if (out.ok) {
      const table = String(params.TableName);
      const key = kind === 'Put' ? await keyOf(call, table, params.Item as Json) : (params.Key as Json);
      undo.push({ table, key, ...(out.body.Attributes !== undefined && { before: out.body.Attributes as Json }) });
      const consumed = out.body.ConsumedCapacity as { CapacityUnits?: number } | undefined;
      units.set(table, (units.get(table) ?? 0) + 2 * (consumed?.CapacityUnits ?? 1));
      reasons.push({ Code: 'None' });
    } else {
      const type = String(out.body.__type ?? '');
      reasons.push(
        type.endsWith('ConditionalCheckFailedException')
          ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
          : { Code: 'ValidationError', Message: String(out.body.message ?? out.body.Message ?? type) },
      );
    }
  }

  if (reasons.every((r) => r.Code === 'None')) {
    return reply(
      res,
      200,
      input.ReturnConsumedCapacity && input.ReturnConsumedCapacity !== 'NONE'
        ? { ConsumedCapacity: [...units].map(([TableName, CapacityUnits]) => ({ TableName, CapacityUnits })) }
        : {},
    );
  }
  for (const { table, key, before } of undo.reverse()) {
    await (before
      ? call('PutItem', { TableName: table, Item: before })
      : call('DeleteItem', { TableName: table, Key: key }));
  }
  return reply(res, 400, {
    __type: `com.amazonaws.dynamodb.v20120810#TransactionCanceledException`,
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => String(r.Code)).join(', ')}]`,
    CancellationReasons: reasons,
  });
}

function actionOf(action: Json): [ActionKind, Json] | undefined {
  const kinds = Object.keys(action);
  const kind = kinds[0];
  if (kinds.length !== 1 || !(kind! in ACTION_OPERATIONS)) return undefined;
  return [kind as ActionKind, action[kind!] as Json];
}

const keySchemas = new Map<string, string[]>();

/** A put's key (to delete the item again on rollback): the table's key attributes of the item. */
async function keyOf(
  call: (operation: string, body: Json) => Promise<{ body: Json }>,
  table: string,
  item: Json,
): Promise<Json> {
  let names = keySchemas.get(table);
  if (!names) {
    const described = await call('DescribeTable', { TableName: table });
    const schema = (described.body.Table as { KeySchema: { AttributeName: string }[] }).KeySchema;
    names = schema.map((k) => k.AttributeName);
    keySchemas.set(table, names);
  }
  return Object.fromEntries(names.map((n) => [n, item[n]]));
}

function reply(res: ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

/** Many readers or one writer, first come first served (a waiting writer holds back later readers). */
class ReadWriteLock {
  private readers = 0;
  private writer = false;
  private readonly waiting: { exclusive: boolean; start: () => void }[] = [];

  async run(exclusive: boolean, work: () => Promise<void>): Promise<void> {
    await new Promise<void>((start) => {
      this.waiting.push({ exclusive, start });
      this.pump();
    });
    try {
      await work();
    } catch (error) {
      console.error(JSON.stringify({ level: 'ERROR', service: 'dynalite-transactions', message: String(error) }));
    } finally {
      if (exclusive) this.writer = false;
      else this.readers--;
      this.pump();
    }
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (this.writer || (next.exclusive && this.readers > 0)) return;
      if (next.exclusive) this.writer = true;
      else this.readers++;
      this.waiting.shift();
      next.start();
    }
  }
}
