import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeActiveReceiptRuleSetCommand, SESClient } from '@aws-sdk/client-ses';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { PreflightFacts, Unavailable } from './checks';

/** Anything with an SDK v3 `send`: the real clients, or a test's fakes. */
export interface Sender {
  send(command: object): Promise<unknown>;
}

export interface PreflightClients {
  readonly lambda: Sender;
  readonly sesv2: Sender;
  readonly ses: Sender;
  readonly ssm: Sender;
}

/** The clients for one profile and region (the SDK's own credential and region chain when omitted). */
export function preflightClients(options: { profile?: string; region?: string }): PreflightClients {
  const config = {
    ...(options.profile && { profile: options.profile }),
    ...(options.region && { region: options.region }),
  };
  return {
    lambda: new LambdaClient(config),
    sesv2: new SESv2Client(config),
    ses: new SESClient(config),
    ssm: new SSMClient(config),
  };
}

/** Only reading: a command that is not a Get, Describe or List is refused before it is sent. */
export const READ_ONLY_COMMAND = /^(Get|Describe|List)[A-Za-z]*Command$/;

async function read<T>(client: Sender, command: object): Promise<T> {
  const name = command.constructor.name;
  if (!READ_ONLY_COMMAND.test(name)) throw new Error(`preflight only reads: ${name} refused`);
  return (await client.send(command)) as T;
}

const unavailable = (error: unknown): Unavailable => ({
  unavailable: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
});
const named = (error: unknown, ...names: string[]) => error instanceof Error && names.includes(error.name);

/** Reads what the deploy depends on; every failure becomes a fact (`unavailable`), never a throw. */
export async function readPreflightFacts(
  clients: PreflightClients,
  subject: { sesDomain: string; qualifier: string },
): Promise<PreflightFacts> {
  const [lambda, sesAccount, sesIdentity, activeReceiptRuleSet, bootstrapVersion] = await Promise.all([
    read<{ AccountLimit?: { ConcurrentExecutions?: number; UnreservedConcurrentExecutions?: number } }>(
      clients.lambda,
      new GetAccountSettingsCommand({}),
    ).then(
      (out) => ({
        concurrencyLimit: out.AccountLimit?.ConcurrentExecutions ?? 0,
        unreserved: out.AccountLimit?.UnreservedConcurrentExecutions ?? 0,
      }),
      unavailable,
    ),
    read<{ ProductionAccessEnabled?: boolean; SendingEnabled?: boolean }>(
      clients.sesv2,
      new GetAccountCommand({}),
    ).then(
      (out) => ({
        productionAccess: out.ProductionAccessEnabled === true,
        sendingEnabled: out.SendingEnabled !== false,
      }),
      unavailable,
    ),
    read<{ VerifiedForSendingStatus?: boolean; DkimAttributes?: { Status?: string } }>(
      clients.sesv2,
      new GetEmailIdentityCommand({ EmailIdentity: subject.sesDomain }),
    ).then(
      (out) => ({
        verifiedForSending: out.VerifiedForSendingStatus === true,
        dkimStatus: out.DkimAttributes?.Status ?? 'unknown',
      }),
      (error: unknown) => (named(error, 'NotFoundException') ? ('absent' as const) : unavailable(error)),
    ),
    read<{ Metadata?: { Name?: string } }>(clients.ses, new DescribeActiveReceiptRuleSetCommand({})).then(
      (out) => ({ name: out.Metadata?.Name }),
      unavailable,
    ),
    read<{ Parameter?: { Value?: string } }>(
      clients.ssm,
      new GetParameterCommand({ Name: `/cdk-bootstrap/${subject.qualifier}/version` }),
    ).then(
      (out) => Number(out.Parameter?.Value ?? 0),
      (error: unknown) => (named(error, 'ParameterNotFound') ? ('absent' as const) : unavailable(error)),
    ),
  ]);
  return { lambda, sesAccount, sesIdentity, activeReceiptRuleSet, bootstrapVersion };
}
