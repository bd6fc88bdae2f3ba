import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Simulation } from '@cloud-copilot/iam-simulate';
import type { NamedPolicy } from './policies';
import type { Policy } from './template-model';
import { ACCOUNT } from './template-model';

export interface AccessRequest {
  /** Who asks, for the message: a function, or a service on behalf of a resource. */
  readonly who: string;
  /** A role ARN, or a service principal (events.amazonaws.com). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
  readonly identityPolicies: readonly NamedPolicy[];
  /** The target's resource policy (or key policy) under its logical id. */
  readonly resourcePolicy?: { readonly id: string; readonly policy: Policy } | undefined;
  /** Why the request happens (the SDK operation, or the AWS feature). */
  readonly because: string;
}

export interface Verdict {
  readonly request: AccessRequest;
  readonly allowed: boolean;
  /** Why it is denied: what is missing, naming statements and condition keys. */
  readonly reason?: string;
}

interface StatementAnalysis {
  policyId?: string;
  statement: { statementObject?: { Sid?: string; Effect?: string } };
  actionMatch: boolean;
  resourceMatch: boolean;
  conditionMatch: string;
  principalMatch?: string;
  explain?: {
    effect?: string;
    conditions?: {
      operator: string;
      conditionKeyValue: string;
      matches: boolean;
      failedBecauseMissing?: boolean;
      failedBecauseArray?: boolean;
      values: { value: string } | { value: string }[];
    }[];
  };
}
interface PolicyAnalysis {
  result: string;
  denyStatements: StatementAnalysis[];
  unmatchedStatements: StatementAnalysis[];
}

/** Evaluates one request with IAM's logic (iam-simulate): identity policies, resource or key policy. */
export async function evaluate(request: AccessRequest): Promise<Verdict> {
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: ACCOUNT },
      contextVariables: aliased(request.context),
    },
    identityPolicies: request.identityPolicies.map((p) => ({ name: p.name, policy: aliasedPolicy(p.policy) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy && { resourcePolicy: aliasedPolicy(request.resourcePolicy.policy) }),
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    return { request, allowed: false, reason: `the simulator refused the request: ${JSON.stringify(response.errors)}` };
  }
  if (response.overallResult === 'Allowed') return { request, allowed: true };
  const result = response.resultType === 'single' ? response.result : response.results[0];
  const analysis = result?.analysis as
    { identityAnalysis?: PolicyAnalysis; resourceAnalysis?: PolicyAnalysis } | undefined;
  const ignored = result?.ignoredContextKeys ?? [];
  return {
    request,
    allowed: false,
    reason: explain(request, analysis) + (ignored.length ? ` (context keys not weighed: ${ignored.join(', ')})` : ''),
  };
}

/**
 * iam-simulate 0.1.173 drops every kms:EncryptionContext:<key> from a request as unknown, so a
 * statement conditioned on one could never match. Both sides are renamed to a key it does weigh
 * (aws:RequestTag/<the key>), which compares the same values with the same operators.
 */
const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:/i;
const alias = (key: string) => (ENCRYPTION_CONTEXT.test(key) ? `aws:RequestTag/${key}` : key);

function aliased<T>(keys: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(keys).map(([k, v]) => [alias(k), v]));
}

function aliasedPolicy(policy: Policy): Policy {
  return {
    ...policy,
    Statement: policy.Statement.map((statement) =>
      statement.Condition
        ? {
            ...statement,
            Condition: Object.fromEntries(
              Object.entries(statement.Condition as Record<string, Record<string, unknown>>).map(([op, keys]) => [
                op,
                aliased(keys),
              ]),
            ),
          }
        : statement,
    ),
  };
}

function explain(
  request: AccessRequest,
  analysis: { identityAnalysis?: PolicyAnalysis; resourceAnalysis?: PolicyAnalysis } | undefined,
): string {
  const parts: string[] = [];
  const denies = [
    ...(analysis?.identityAnalysis?.denyStatements ?? []),
    ...(analysis?.resourceAnalysis?.denyStatements ?? []),
  ];
  for (const d of denies) {
    parts.push(`explicitly denied by ${d.policyId ?? request.resourcePolicy?.id ?? '?'} ${sid(d)}`.trim());
  }
  const nearMisses = (a: PolicyAnalysis | undefined, where: string) =>
    (a?.unmatchedStatements ?? [])
      .filter((s) => s.explain?.effect !== 'Deny' && s.actionMatch && s.resourceMatch && s.principalMatch !== 'NoMatch')
      .map((s) => {
        const failed = (s.explain?.conditions ?? [])
          .filter((c) => !c.matches)
          .map((c) => {
            const wanted = (Array.isArray(c.values) ? c.values : [c.values]).map((v) => v.value);
            const got = request.context[c.conditionKeyValue];
            const why = c.failedBecauseMissing
              ? 'the request has no such key'
              : c.failedBecauseArray
                ? `a multivalued key under a single-valued operator never matches (the request has ${JSON.stringify(got)})`
                : `the request has ${JSON.stringify(got)}`;
            return `${c.operator} ${c.conditionKeyValue} ${JSON.stringify(wanted)}: ${why}`;
          });
        return `${where} ${s.policyId ?? ''} ${sid(s)} covers it but its condition fails: ${failed.join('; ')}`;
      });
  const isService = request.principal.endsWith('.amazonaws.com');
  const near = [
    ...nearMisses(analysis?.identityAnalysis, 'identity statement'),
    ...nearMisses(analysis?.resourceAnalysis, `${request.resourcePolicy?.id ?? 'resource'} policy statement`),
  ];
  parts.push(...near);
  if (denies.length === 0 && near.length === 0) {
    parts.push(
      isService
        ? `no statement of ${request.resourcePolicy?.id ?? 'its resource policy (there is none)'} lets ${request.principal} do it`
        : `no statement of the role's policies (${request.identityPolicies.map((p) => p.name).join(', ') || 'none'}) allows ${request.action} on it` +
            (request.resourcePolicy && request.action.startsWith('kms:')
              ? `, or the key policy of ${request.resourcePolicy.id} does not let IAM policies grant it`
              : ''),
    );
  }
  return parts.join('; ');
}

function sid(s: StatementAnalysis): string {
  return s.statement.statementObject?.Sid ?? '';
}

/** One line for a denied request: function, action, resource, why it is asked, what is missing. */
export function describe(verdict: Verdict): string {
  const r = verdict.request;
  return `${r.who}: ${r.action} on ${r.resource} (${r.because}) is DENIED: ${verdict.reason}`;
}
