import type { AssisterType } from './assister-type';
import type { LanguageCode } from './languages';
import { minnesotaDateOf } from './minnesota-time';
import type { Organization } from './organization';
import { servesCounty } from './organization';

/** How busy an organization is: its load counters for the window and the week (kept with each routing). */
export interface OrganizationLoad {
  readonly leadsThisWindow: number;
  readonly leadsThisWeek: number;
  /** The referral date of its most recent lead; undefined when it never had one. */
  readonly lastAssignedAt?: string;
}

/** The consumer's most recent earlier referral, found by the keyed hash of phone or email. */
export interface PreviousReferral {
  readonly referralId: string;
  readonly organizationId: string;
  readonly referredAt: string;
}

export interface RoutingRequest {
  readonly referralId: string;
  readonly assisterType: AssisterType;
  readonly countyFips: string;
  readonly referredAt: string;
  readonly preferredLanguage?: LanguageCode;
  readonly previous?: PreviousReferral;
}

/**
 * What routing needs to know of a referral (no PII); `previous` is added where repeats count. The parameter names the
 * fields it reads rather than importing Referral, so routing does not depend back on referral.ts (which stores the
 * decision).
 */
export function routingRequestOf(referral: {
  readonly referralId: string;
  readonly assisterType: AssisterType;
  readonly referredAt: string;
  readonly consumer: { readonly countyFips: string; readonly preferredLanguage?: LanguageCode | undefined };
}): RoutingRequest {
  return {
    referralId: referral.referralId,
    assisterType: referral.assisterType,
    countyFips: referral.consumer.countyFips,
    referredAt: referral.referredAt,
    ...(referral.consumer.preferredLanguage && { preferredLanguage: referral.consumer.preferredLanguage }),
  };
}

export interface RoutingPolicy {
  /** Capacity assumed for an organization that set none, so load ratios stay comparable. */
  readonly defaultWeeklyCapacity: number;
  /** A consumer referred again within this many days goes back to the same organization. */
  readonly repeatWindowDays: number;
}

export const DEFAULT_ROUTING_POLICY: RoutingPolicy = { defaultWeeklyCapacity: 20, repeatWindowDays: 30 };

export type Exclusion = 'wrong-type' | 'suspended' | 'contact-failing' | 'over-capacity' | 'does-not-serve-county';
export type Tier = 'county' | 'statewide';

export interface CandidateEvaluation {
  readonly organizationId: string;
  readonly tier: Tier;
  readonly speaksLanguage: boolean;
  readonly leadsThisWindow: number;
  readonly leadsThisWeek: number;
  readonly weeklyCapacity?: number;
  /** Leads this window ÷ weekly capacity: lower is chosen first. */
  readonly load: number;
  readonly lastAssignedAt?: string;
  readonly excludedBecause?: Exclusion;
}

export type RoutingReason =
  | 'repeat-consumer'
  | 'county-language-match'
  | 'county'
  | 'statewide-language-match'
  | 'statewide'
  | 'no-eligible-organization';

export interface RoutingDecision {
  readonly outcome: 'routed' | 'unroutable';
  readonly organizationId?: string;
  readonly reason: RoutingReason;
  /** One sentence for ops and the GET endpoint: why this organization, or why none. */
  readonly explanation: string;
  readonly repeatOfReferralId?: string;
  readonly candidates: readonly CandidateEvaluation[];
}

/**
 * Chooses the organization for a referral (docs/architecture.md, flow 2), deterministically:
 * 1. a consumer referred again within the repeat window goes back to the same organization
 *    while it is still eligible (active, of the right type, serving the county; its capacity
 *    does not block a returning consumer);
 * 2. otherwise organizations serving the county, then statewide ones; within a tier, those
 *    speaking the consumer's language first; active and under their weekly capacity only;
 * 3. among those, the lowest load this reporting window, then the least recently assigned,
 *    then the organization id.
 */
export function decideRouting(
  request: RoutingRequest,
  organizations: readonly Organization[],
  loads: ReadonlyMap<string, OrganizationLoad>,
  policy: RoutingPolicy = DEFAULT_ROUTING_POLICY,
): RoutingDecision {
  const wantsLanguage = request.preferredLanguage !== undefined && request.preferredLanguage !== 'en';
  const unique = new Map(organizations.map((o) => [o.organizationId, o]));
  const candidates = [...unique.values()]
    .map((org) => evaluate(org, request, loads.get(org.organizationId), policy))
    .sort(byPreference);

  const previous = request.previous;
  if (previous && withinDays(previous.referredAt, request.referredAt, policy.repeatWindowDays)) {
    const again = candidates.find((c) => c.organizationId === previous.organizationId);
    if (again && (again.excludedBecause === undefined || again.excludedBecause === 'over-capacity')) {
      return {
        outcome: 'routed',
        organizationId: again.organizationId,
        reason: 'repeat-consumer',
        explanation: `The consumer was referred to this organization on ${minnesotaDateOf(new Date(previous.referredAt))} (${previous.referralId}); a repeat referral within ${policy.repeatWindowDays} days goes back to it.`,
        repeatOfReferralId: previous.referralId,
        candidates,
      };
    }
  }

  for (const tier of ['county', 'statewide'] as const) {
    const eligible = candidates.filter((c) => c.tier === tier && c.excludedBecause === undefined);
    if (eligible.length === 0) continue;
    const speaking = wantsLanguage ? eligible.filter((c) => c.speaksLanguage) : [];
    const pool = speaking.length > 0 ? speaking : eligible;
    const chosen = pool[0]!;
    const reason: RoutingReason = speaking.length > 0 ? `${tier}-language-match` : tier;
    return {
      outcome: 'routed',
      organizationId: chosen.organizationId,
      reason,
      explanation: explain(reason, request, pool.length, wantsLanguage),
      candidates,
    };
  }

  return {
    outcome: 'unroutable',
    reason: 'no-eligible-organization',
    explanation:
      candidates.length === 0
        ? `No ${request.assisterType} serves county ${request.countyFips}, and no statewide ${request.assisterType} exists.`
        : `None of the ${candidates.length} ${request.assisterType} organizations serving county ${request.countyFips} or statewide is eligible (see candidates).`,
    candidates,
  };
}

function evaluate(
  org: Organization,
  request: RoutingRequest,
  load: OrganizationLoad | undefined,
  policy: RoutingPolicy,
): CandidateEvaluation {
  const leadsThisWindow = load?.leadsThisWindow ?? 0;
  const leadsThisWeek = load?.leadsThisWeek ?? 0;
  const capacity = org.weeklyCapacity ?? policy.defaultWeeklyCapacity;
  const excludedBecause: Exclusion | undefined =
    org.type !== request.assisterType
      ? 'wrong-type'
      : !servesCounty(org, request.countyFips)
        ? 'does-not-serve-county'
        : org.status.state !== 'active'
          ? 'suspended'
          : org.leadContactStatus?.state === 'failing'
            ? 'contact-failing'
            : org.weeklyCapacity !== undefined && leadsThisWeek >= org.weeklyCapacity
              ? 'over-capacity'
              : undefined;
  return {
    organizationId: org.organizationId,
    tier: org.coverage.kind === 'statewide' ? 'statewide' : 'county',
    speaksLanguage: request.preferredLanguage !== undefined && org.languages.includes(request.preferredLanguage),
    leadsThisWindow,
    leadsThisWeek,
    ...(org.weeklyCapacity !== undefined && { weeklyCapacity: org.weeklyCapacity }),
    load: round(leadsThisWindow / capacity),
    ...(load?.lastAssignedAt !== undefined && { lastAssignedAt: load.lastAssignedAt }),
    ...(excludedBecause !== undefined && { excludedBecause }),
  };
}

/** Lowest load, then least recently assigned (never assigned first), then id: deterministic. */
function byPreference(a: CandidateEvaluation, b: CandidateEvaluation): number {
  if (a.load !== b.load) return a.load - b.load;
  const la = a.lastAssignedAt ?? '';
  const lb = b.lastAssignedAt ?? '';
  if (la !== lb) return la < lb ? -1 : 1;
  return a.organizationId < b.organizationId ? -1 : a.organizationId > b.organizationId ? 1 : 0;
}

function explain(reason: RoutingReason, request: RoutingRequest, poolSize: number, wantsLanguage: boolean): string {
  const where = reason.startsWith('county')
    ? `serving county ${request.countyFips}`
    : `statewide (none serving county ${request.countyFips} is eligible)`;
  const language = wantsLanguage
    ? reason.endsWith('language-match')
      ? `, speaking ${request.preferredLanguage}`
      : `; none of them speaks ${request.preferredLanguage}`
    : '';
  return `Lowest load this reporting window among ${poolSize} eligible ${request.assisterType} organization(s) ${where}${language}.`;
}

function withinDays(earlier: string, later: string, days: number): boolean {
  const gap = Date.parse(later) - Date.parse(earlier);
  return gap >= 0 && gap <= days * 24 * 60 * 60 * 1000;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
