/**
 * The deploy preflight's decisions, from facts read in the account (preflight-facts.ts reads them,
 * read-only): whether the deploy can succeed there, and what to do when it cannot. Pure.
 */

/** What the account says; `unavailable` carries the API's error when a fact could not be read. */
export interface PreflightFacts {
  readonly lambda: { concurrencyLimit: number; unreserved: number } | Unavailable;
  readonly sesAccount: { productionAccess: boolean; sendingEnabled: boolean } | Unavailable;
  /** The SES identity of the configured domain; `absent` when the account has none by that name. */
  readonly sesIdentity: 'absent' | { verifiedForSending: boolean; dkimStatus: string } | Unavailable;
  /** The account's active receipt rule set in the region; undefined when none is active. */
  readonly activeReceiptRuleSet: { name: string | undefined } | Unavailable;
  /** /cdk-bootstrap/<qualifier>/version; `absent` when the region is not bootstrapped. */
  readonly bootstrapVersion: number | 'absent' | Unavailable;
}

export interface Unavailable {
  readonly unavailable: string;
}

/** What the deploy needs, from the CDK context and the synthesized template. */
export interface PreflightExpectations {
  readonly environment: string;
  readonly sesDomain: string;
  /** The stack's receipt rule set (pal-<environment>-inbound). */
  readonly receiptRuleSetName: string;
  /** Sum of ReservedConcurrentExecutions in the template (0 when reservations are off). */
  readonly reservedConcurrency: number;
  readonly qualifier: string;
  /** The bootstrap version the template's CheckBootstrapVersion rule asks for. */
  readonly minimumBootstrapVersion: number;
}

export interface CheckResult {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
  /** What to do, when it fails (and, for some passes, what to do after the deploy). */
  readonly todo?: string;
}

/**
 * Lambda keeps at least this many executions unreserved for functions without a reservation
 * (PutFunctionConcurrency, https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html).
 */
export const UNRESERVED_MINIMUM = 100;

const isUnavailable = (fact: unknown): fact is Unavailable =>
  typeof fact === 'object' && fact !== null && 'unavailable' in fact;

export function preflightChecks(facts: PreflightFacts, want: PreflightExpectations): CheckResult[] {
  return [
    concurrency(facts.lambda, want),
    sesProduction(facts.sesAccount),
    sesIdentity(facts.sesIdentity, want),
    receiptRuleSet(facts.activeReceiptRuleSet, want),
    bootstrap(facts.bootstrapVersion, want),
  ];
}

function concurrency(fact: PreflightFacts['lambda'], want: PreflightExpectations): CheckResult {
  const name = 'Lambda concurrency';
  if (isUnavailable(fact)) return unreadable(name, fact, 'lambda:GetAccountSettings');
  if (want.reservedConcurrency === 0) {
    const low = fact.concurrencyLimit < 1000;
    return {
      name,
      pass: true,
      detail: `no reservations (reservedConcurrency off); the functions share the account's ${fact.concurrencyLimit}`,
      ...(low && {
        todo:
          'The quota is below the default 1,000: a burst of referrals is throttled. Ask for 1,000 (Service Quotas, ' +
          'Lambda "Concurrent executions").',
      }),
    };
  }
  const left = fact.unreserved - want.reservedConcurrency;
  const needed = want.reservedConcurrency + UNRESERVED_MINIMUM;
  return left >= UNRESERVED_MINIMUM
    ? {
        name,
        pass: true,
        detail: `reserving ${want.reservedConcurrency} leaves ${left} of ${fact.concurrencyLimit} unreserved`,
      }
    : {
        name,
        pass: false,
        detail:
          `the stack reserves ${want.reservedConcurrency} but only ${fact.unreserved} of ${fact.concurrencyLimit} ` +
          `are unreserved, and Lambda keeps ${UNRESERVED_MINIMUM} unreserved: the deploy would be refused`,
        todo:
          `Ask for a concurrency quota of at least ${needed + (fact.concurrencyLimit - fact.unreserved)} ` +
          '(Service Quotas, Lambda "Concurrent executions"), or deploy with -c reservedConcurrency=false.',
      };
}

function sesProduction(fact: PreflightFacts['sesAccount']): CheckResult {
  const name = 'SES production access';
  if (isUnavailable(fact)) return unreadable(name, fact, 'ses:GetAccount');
  if (!fact.sendingEnabled) {
    return {
      name,
      pass: false,
      detail: 'sending is paused for this account in this region',
      todo: 'See the SES account dashboard for why, and resolve it with AWS before deploying.',
    };
  }
  return fact.productionAccess
    ? { name, pass: true, detail: 'out of the sandbox: leads and reports may go to any address' }
    : {
        name,
        pass: false,
        detail: 'in the SES sandbox: mail reaches verified addresses only, so organizations get no leads',
        todo: 'Request production access (SES console, Account dashboard) in this region; it takes about a day.',
      };
}

function sesIdentity(fact: PreflightFacts['sesIdentity'], want: PreflightExpectations): CheckResult {
  const name = `SES identity ${want.sesDomain}`;
  if (isUnavailable(fact)) return unreadable(name, fact, 'ses:GetEmailIdentity');
  if (fact === 'absent') {
    return {
      name,
      pass: true,
      detail: 'not an identity yet: the stack creates it',
      todo: 'After the deploy, publish the DKIM and MAIL FROM records (stack outputs) and wait for "verified".',
    };
  }
  return fact.verifiedForSending
    ? {
        name,
        pass: true,
        detail: `verified (DKIM ${fact.dkimStatus})`,
        todo:
          'If this stack did not create it, the deploy fails with "already exists": delete the identity or ' +
          '`cdk import` it first.',
      }
    : {
        name,
        pass: false,
        detail: `exists but is not verified for sending (DKIM ${fact.dkimStatus})`,
        todo: 'Publish its DKIM CNAMEs (EmailDkimRecords output) in DNS; SES re-checks within hours.',
      };
}

function receiptRuleSet(fact: PreflightFacts['activeReceiptRuleSet'], want: PreflightExpectations): CheckResult {
  const name = 'SES receiving (active receipt rule set)';
  if (isUnavailable(fact)) {
    return {
      ...unreadable(name, fact, 'ses:DescribeActiveReceiptRuleSet'),
      todo:
        'SES receives email only in some regions (for example us-east-1, us-west-2, eu-west-1): deploy to one, ' +
        'or allow ses:DescribeActiveReceiptRuleSet.',
    };
  }
  if (fact.name === want.receiptRuleSetName) {
    return { name, pass: true, detail: `${want.receiptRuleSetName} is active` };
  }
  const activate = `aws ses set-active-receipt-rule-set --rule-set-name ${want.receiptRuleSetName}`;
  return fact.name === undefined
    ? {
        name,
        pass: false,
        detail: 'no rule set is active: emailed reports would not be received',
        todo: `After the deploy, run: ${activate}`,
      }
    : {
        name,
        pass: false,
        detail: `another rule set is active (${fact.name}); one per account and region`,
        todo: `Merge its rules into ${want.receiptRuleSetName} first; after the deploy, run: ${activate}`,
      };
}

function bootstrap(fact: PreflightFacts['bootstrapVersion'], want: PreflightExpectations): CheckResult {
  const name = `CDK bootstrap (qualifier ${want.qualifier})`;
  const command = 'npx cdk bootstrap aws://<account>/<region>';
  if (isUnavailable(fact))
    return unreadable(name, fact, `ssm:GetParameter on /cdk-bootstrap/${want.qualifier}/version`);
  if (fact === 'absent') {
    return { name, pass: false, detail: 'the region is not bootstrapped', todo: `Run: ${command}` };
  }
  return fact >= want.minimumBootstrapVersion
    ? { name, pass: true, detail: `version ${fact} (≥ ${want.minimumBootstrapVersion})` }
    : {
        name,
        pass: false,
        detail: `version ${fact}; the template needs ${want.minimumBootstrapVersion} or later`,
        todo: `Run: ${command} (it upgrades the bootstrap stack)`,
      };
}

function unreadable(name: string, fact: Unavailable, permission: string): CheckResult {
  return {
    name,
    pass: false,
    detail: `could not be read: ${fact.unavailable}`,
    todo: `Run with credentials that may call ${permission} (read-only), in the region you deploy to.`,
  };
}

/** The parts of a synthesized template preflight reads. */
export interface SynthesizedTemplate {
  Resources: Record<string, { Type: string; Properties?: { ReservedConcurrentExecutions?: number } }>;
  Rules?: { CheckBootstrapVersion?: { Assertions?: { Assert?: unknown }[] } };
}

/** What the template asks of the account: its reservations and the bootstrap version its rule requires. */
export function templateNeeds(template: SynthesizedTemplate): {
  reservedConcurrency: number;
  minimumBootstrapVersion: number;
} {
  const reservedConcurrency = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .reduce((sum, r) => sum + (r.Properties?.ReservedConcurrentExecutions ?? 0), 0);
  // CDK writes the refused versions into the rule: { Fn::Not: [{ Fn::Contains: [["1",…,"5"], …] }] }.
  const refused = JSON.stringify(template.Rules?.CheckBootstrapVersion ?? {}).match(/\[\[("\d+",?)+\]/)?.[0] ?? '[[]';
  const versions = [...refused.matchAll(/"(\d+)"/g)].map((m) => Number(m[1]));
  return { reservedConcurrency, minimumBootstrapVersion: versions.length ? Math.max(...versions) + 1 : 1 };
}

/** The report: one line per check, PASS or FAIL, and what to do under it. */
export function formatChecks(results: readonly CheckResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.pass ? 'PASS' : 'FAIL'}  ${r.name}: ${r.detail}`);
    if (r.todo) lines.push(`      ${r.pass ? 'then' : 'do'}: ${r.todo}`);
  }
  const failed = results.filter((r) => !r.pass).length;
  lines.push(failed === 0 ? 'Preflight passed.' : `Preflight failed: ${failed} of ${results.length} checks.`);
  return lines.join('\n');
}
