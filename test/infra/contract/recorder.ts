import type { AwsClient } from '../../../shared/adapters/aws-clients';
import { observeClients } from '../../../shared/adapters/aws-clients';
import { runningFunction } from '../../../infra/local/function-scope';

/**
 * One AWS call as IAM sees it: the function whose role makes it, the IAM action, the resource it
 * names (by the local name: table, bucket/key, bus, secret, SES identity) and the request values
 * IAM conditions read. A PutEvents of 3 entries is 3 calls (EventBridge authorizes each entry).
 */
export interface RecordedCall {
  readonly fn: string;
  /** The SDK operation, e.g. DynamoDB.UpdateItem; several IAM actions may come from one operation. */
  readonly operation: string;
  readonly action: string;
  readonly target: Target;
  readonly context: Record<string, string | string[]>;
}

export type Target =
  | { kind: 'table'; table: string; index?: string }
  | { kind: 'object'; bucket: string; key: string }
  | { kind: 'bus'; bus: string }
  | { kind: 'ses'; from: string; configurationSet?: string }
  | { kind: 'secret'; secretId: string };

type Input = Record<string, unknown>;
const SERVICE: Record<string, string> = {
  DynamoDBClient: 'DynamoDB',
  EventBridgeClient: 'EventBridge',
  S3Client: 'S3',
  SESClient: 'SES',
  SecretsManagerClient: 'SecretsManager',
};

/**
 * Records every call made through a client of shared/adapters/aws-clients.ts built while it is on,
 * attributed to the function whose handler runs (infra/local/function-scope.ts). Calls made outside
 * any handler (the local stack's own setup, the test's reads) are counted apart.
 */
export class CallRecorder {
  public readonly calls: RecordedCall[] = [];
  public unattributed = 0;

  start(): void {
    observeClients((client) => this.attach(client));
  }

  stop(): void {
    observeClients(undefined);
  }

  /** A call no SDK middleware sees (a presigned POST that a browser sends, signed with a function's role). */
  add(call: RecordedCall): void {
    this.calls.push(call);
  }

  private attach(client: AwsClient): void {
    const stack = client.middlewareStack as unknown as {
      add(middleware: unknown, options: { step: string; name: string; priority?: string }): void;
    };
    stack.add(
      (next: (args: { input: Input }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
        async (args: { input: Input }) => {
          this.record(context.clientName ?? '', (context.commandName ?? '').replace(/Command$/, ''), args.input);
          return next(args);
        },
      // After lib-dynamodb's marshalling (initialize): the input as it goes on the wire.
      { step: 'serialize', name: 'palDeploymentContractRecorder', priority: 'high' },
    );
  }

  private record(clientName: string, command: string, input: Input): void {
    const fn = runningFunction();
    if (!fn) {
      this.unattributed++;
      return;
    }
    const operation = `${SERVICE[clientName] ?? clientName}.${command}`;
    for (const call of callsOf(clientName, command, input)) this.calls.push({ fn, operation, ...call });
  }
}

type Call = Omit<RecordedCall, 'fn' | 'operation'>;

function callsOf(clientName: string, command: string, input: Input): Call[] {
  switch (clientName) {
    case 'DynamoDBClient':
      return dynamoCalls(command, input);
    case 'S3Client':
      return s3Calls(command, input);
    case 'EventBridgeClient':
      return ((input.Entries as Input[] | undefined) ?? []).map((entry) => ({
        action: `events:${command}`,
        target: { kind: 'bus', bus: String(entry.EventBusName ?? 'default') },
        context: { 'events:source': [String(entry.Source)], 'events:detail-type': [String(entry.DetailType)] },
      }));
    case 'SESClient':
      return [
        {
          action: `ses:${command}`,
          target: {
            kind: 'ses',
            from: addressOf(String(input.Source)),
            ...(typeof input.ConfigurationSetName === 'string' && { configurationSet: input.ConfigurationSetName }),
          },
          context: { 'ses:FromAddress': addressOf(String(input.Source)) },
        },
      ];
    case 'SecretsManagerClient':
      return [
        {
          action: `secretsmanager:${command}`,
          target: { kind: 'secret', secretId: String(input.SecretId) },
          context: {},
        },
      ];
    default:
      throw new Error(`The deployment contract does not know ${clientName}: teach recorder.ts its resources`);
  }
}

/** Transactions are authorized per item, as the item's own action (PutItem, UpdateItem…). */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

function dynamoCalls(command: string, input: Input): Call[] {
  const on = (action: string, table: string, index?: unknown): Call => ({
    action: `dynamodb:${action}`,
    target: { kind: 'table', table, ...(typeof index === 'string' && { index }) },
    context: {},
  });
  if (command === 'BatchGetItem' || command === 'BatchWriteItem') {
    return Object.keys((input.RequestItems as Input | undefined) ?? {}).map((table) => on(command, table));
  }
  if (command === 'TransactWriteItems' || command === 'TransactGetItems') {
    return ((input.TransactItems as Input[] | undefined) ?? []).flatMap((item) =>
      Object.entries(item).map(([kind, body]) => on(TRANSACT_ACTIONS[kind]!, String((body as Input).TableName))),
    );
  }
  return [on(command, String(input.TableName), input.IndexName)];
}

/** S3 operations by the IAM action that authorizes them (HeadObject is s3:GetObject). */
const S3_ACTIONS: Record<string, string> = {
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  DeleteObject: 's3:DeleteObject',
  CopyObject: 's3:PutObject',
};

function s3Calls(command: string, input: Input): Call[] {
  const action = S3_ACTIONS[command];
  if (!action) throw new Error(`The deployment contract does not know S3 ${command}: add it to recorder.ts`);
  return [{ action, target: { kind: 'object', bucket: String(input.Bucket), key: String(input.Key) }, context: {} }];
}

/** `"PAL" <pal-leads@example.org>` → pal-leads@example.org (what ses:FromAddress compares). */
function addressOf(source: string): string {
  return /<([^>]+)>/.exec(source)?.[1] ?? source;
}
