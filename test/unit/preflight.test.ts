import type { PreflightExpectations, PreflightFacts } from '../../infra/aws/preflight/checks';
import { formatChecks, preflightChecks, templateNeeds } from '../../infra/aws/preflight/checks';
import type { PreflightClients, Sender } from '../../infra/aws/preflight/preflight-facts';
import { READ_ONLY_COMMAND, readPreflightFacts } from '../../infra/aws/preflight/preflight-facts';

/*
 * The deploy preflight's decisions. No AWS account can be reached here, so the facts it reads
 * come from fakes: plain facts for the decisions, and fake SDK clients (answering as the AWS APIs
 * document, or failing with their error names) for the reading, which must only read.
 */
const want: PreflightExpectations = {
  environment: 'prod',
  sesDomain: 'pal.mnsure.example.org',
  receiptRuleSetName: 'pal-prod-inbound',
  reservedConcurrency: 0,
  qualifier: 'hnb659fds',
  minimumBootstrapVersion: 6,
};
const ready: PreflightFacts = {
  lambda: { concurrencyLimit: 1000, unreserved: 1000 },
  sesAccount: { productionAccess: true, sendingEnabled: true },
  sesIdentity: { verifiedForSending: true, dkimStatus: 'SUCCESS' },
  activeReceiptRuleSet: { name: 'pal-prod-inbound' },
  bootstrapVersion: 28,
};
const check = (facts: Partial<PreflightFacts>, expectations: Partial<PreflightExpectations> = {}) =>
  preflightChecks({ ...ready, ...facts }, { ...want, ...expectations });
const failed = (facts: Partial<PreflightFacts>, expectations: Partial<PreflightExpectations> = {}) =>
  check(facts, expectations).filter((r) => !r.pass);

describe('deploy preflight: decisions', () => {
  test('an account ready for the deploy passes every check', () => {
    expect(failed({})).toEqual([]);
    expect(formatChecks(check({}))).toMatch(/Preflight passed\.$/);
  });

  test("a new account's quota of 10 takes no reservations: FAIL with the quota to ask for; off, it passes", () => {
    const newAccount = { lambda: { concurrencyLimit: 10, unreserved: 10 } };
    const [result] = failed(newAccount, { reservedConcurrency: 79 });
    expect(result).toEqual(expect.objectContaining({ name: 'Lambda concurrency', pass: false }));
    expect(result!.todo).toContain('at least 179');
    expect(result!.todo).toContain('-c reservedConcurrency=false');
    const off = check(newAccount).find((r) => r.name === 'Lambda concurrency')!;
    expect(off.pass).toBe(true);
    expect(off.todo).toContain('Ask for 1,000');
  });

  test('reservations pass only while 100 stay unreserved, counting what other functions reserve', () => {
    expect(failed({ lambda: { concurrencyLimit: 1000, unreserved: 179 } }, { reservedConcurrency: 79 })).toEqual([]);
    const [tight] = failed({ lambda: { concurrencyLimit: 1000, unreserved: 178 } }, { reservedConcurrency: 79 });
    expect(tight!.todo).toContain('at least 1001');
  });

  test('the SES sandbox, a paused account, an unverified domain: each FAILs with what to do', () => {
    expect(failed({ sesAccount: { productionAccess: false, sendingEnabled: true } })[0]!.todo).toMatch(
      /Request production access/,
    );
    expect(failed({ sesAccount: { productionAccess: true, sendingEnabled: false } })[0]!.detail).toMatch(/paused/);
    const unverified = failed({ sesIdentity: { verifiedForSending: false, dkimStatus: 'PENDING' } })[0]!;
    expect(unverified.name).toBe('SES identity pal.mnsure.example.org');
    expect(unverified.todo).toMatch(/DKIM CNAMEs/);
  });

  test('a domain that is not an identity yet passes (the stack creates it), with what to do after', () => {
    const [identity] = check({ sesIdentity: 'absent' }).filter((r) => r.name.startsWith('SES identity'));
    expect(identity).toEqual(expect.objectContaining({ pass: true }));
    expect(identity!.todo).toMatch(/DKIM and MAIL FROM/);
  });

  test('receiving: none active, or another rule set active, FAILs with the command to run after the deploy', () => {
    expect(failed({ activeReceiptRuleSet: { name: undefined } })[0]!.todo).toBe(
      'After the deploy, run: aws ses set-active-receipt-rule-set --rule-set-name pal-prod-inbound',
    );
    expect(failed({ activeReceiptRuleSet: { name: 'legacy' } })[0]!.todo).toMatch(
      /^Merge its rules into pal-prod-inbound/,
    );
  });

  test('bootstrap: missing or older than the template requires FAILs with `cdk bootstrap`', () => {
    expect(failed({ bootstrapVersion: 'absent' })[0]!.todo).toMatch(/npx cdk bootstrap/);
    expect(failed({ bootstrapVersion: 5 })[0]!.detail).toBe('version 5; the template needs 6 or later');
  });

  test('a fact that could not be read FAILs naming the permission, never passes', () => {
    const denied = { unavailable: 'AccessDeniedException: not authorized' };
    const results = check({
      lambda: denied,
      sesAccount: denied,
      sesIdentity: denied,
      activeReceiptRuleSet: denied,
      bootstrapVersion: denied,
    });
    expect(results.map((r) => r.pass)).toEqual([false, false, false, false, false]);
    expect(results[0]!.todo).toContain('lambda:GetAccountSettings');
    expect(formatChecks(results)).toMatch(/Preflight failed: 5 of 5 checks\.$/);
  });

  test("the template's reservations and bootstrap rule are read from it", () => {
    const template = {
      Resources: {
        A: { Type: 'AWS::Lambda::Function', Properties: { ReservedConcurrentExecutions: 20 } },
        B: { Type: 'AWS::Lambda::Function', Properties: {} },
        C: { Type: 'AWS::Lambda::Function', Properties: { ReservedConcurrentExecutions: 1 } },
      },
      Rules: {
        CheckBootstrapVersion: {
          Assertions: [
            { Assert: { 'Fn::Not': [{ 'Fn::Contains': [['1', '2', '3', '4', '5'], { Ref: 'BootstrapVersion' }] }] } },
          ],
        },
      },
    };
    expect(templateNeeds(template)).toEqual({ reservedConcurrency: 21, minimumBootstrapVersion: 6 });
  });
});

/** A fake SDK client: records each command it is sent and answers from `answer`. */
function fakeClient(answer: (name: string, input: unknown) => unknown, sent: string[]): Sender {
  return {
    send: async (command: object) => {
      const name = command.constructor.name;
      sent.push(name);
      const out = answer(name, (command as { input: unknown }).input);
      if (out instanceof Error) throw out;
      return out;
    },
  };
}
const awsError = (name: string) => Object.assign(new Error(`${name} (fake)`), { name });

describe('deploy preflight: reading the account', () => {
  test('only Get and Describe calls are made, and each answer becomes a fact', async () => {
    const sent: string[] = [];
    const answers: Record<string, unknown> = {
      GetAccountSettingsCommand: { AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } },
      GetAccountCommand: { ProductionAccessEnabled: false, SendingEnabled: true },
      GetEmailIdentityCommand: awsError('NotFoundException'),
      DescribeActiveReceiptRuleSetCommand: {},
      GetParameterCommand: { Parameter: { Value: '28' } },
    };
    const client = fakeClient((name) => answers[name], sent);
    const clients: PreflightClients = { lambda: client, sesv2: client, ses: client, ssm: client };
    const facts = await readPreflightFacts(clients, { sesDomain: 'pal.mnsure.example.org', qualifier: 'hnb659fds' });
    expect(facts).toEqual({
      lambda: { concurrencyLimit: 10, unreserved: 10 },
      sesAccount: { productionAccess: false, sendingEnabled: true },
      sesIdentity: 'absent',
      activeReceiptRuleSet: { name: undefined },
      bootstrapVersion: 28,
    });
    expect(sent.sort()).toEqual(Object.keys(answers).sort());
    for (const name of sent) expect(name).toMatch(READ_ONLY_COMMAND);
  });

  test('a missing bootstrap parameter is "absent"; a refused call is "unavailable", with its error', async () => {
    const client = fakeClient(
      (name) => (name === 'GetParameterCommand' ? awsError('ParameterNotFound') : awsError('AccessDeniedException')),
      [],
    );
    const facts = await readPreflightFacts(
      { lambda: client, sesv2: client, ses: client, ssm: client },
      { sesDomain: 'pal.mnsure.example.org', qualifier: 'hnb659fds' },
    );
    expect(facts.bootstrapVersion).toBe('absent');
    expect(facts.lambda).toEqual({ unavailable: 'AccessDeniedException: AccessDeniedException (fake)' });
  });

  test('the read-only rule refuses anything that writes', () => {
    for (const name of ['PutFunctionConcurrencyCommand', 'SetActiveReceiptRuleSetCommand', 'PutParameterCommand']) {
      expect(name).not.toMatch(READ_ONLY_COMMAND);
    }
  });
});
