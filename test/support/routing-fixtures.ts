import type { AssisterType } from '../../shared/domain/assister-type';
import type { LanguageCode } from '../../shared/domain/languages';
import type { Organization } from '../../shared/domain/organization';
import { OrganizationSchema } from '../../shared/domain/organization';
import type { Exclusion, OrganizationLoad, RoutingDecision, RoutingRequest } from '../../shared/domain/routing';

export const HENNEPIN = '27053';
export const RAMSEY = '27123';
export const REFERRAL_ID = 'ref_aaaaaaaaaaaaaaaaaaaaaaaaaa';
export const EARLIER_REFERRAL_ID = 'ref_bbbbbbbbbbbbbbbbbbbbbbbbbb';
export const REFERRED_AT = '2026-11-18T16:00:00.000Z';
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface OrgOptions {
  readonly type?: AssisterType;
  readonly counties?: string[] | 'statewide';
  readonly languages?: LanguageCode[];
  readonly suspended?: boolean;
  readonly contactFailing?: boolean;
  readonly weeklyCapacity?: number;
}

/** A small fictional organization, checked against the directory's own schema so fixtures stay realistic. */
export function org(organizationId: string, options: OrgOptions = {}): Organization {
  return OrganizationSchema.parse({
    organizationId,
    name: `Fictional ${organizationId}`,
    type: options.type ?? 'navigator',
    leadEmail: `leads@${organizationId}.example.org`,
    coverage:
      options.counties === 'statewide'
        ? { kind: 'statewide' }
        : { kind: 'counties', counties: options.counties ?? [HENNEPIN] },
    languages: options.languages ?? ['en'],
    status: options.suspended
      ? { state: 'suspended', reason: 'Staff vacancy', since: '2026-11-02T15:00:00.000Z' }
      : { state: 'active' },
    ...(options.weeklyCapacity !== undefined && { weeklyCapacity: options.weeklyCapacity }),
    ...(options.contactFailing && {
      leadContactStatus: { state: 'failing', since: '2026-11-20T15:00:00.000Z', reason: 'bounce' },
    }),
  });
}

export interface LoadOptions {
  readonly window?: number;
  readonly week?: number;
  readonly last?: string;
}

export function loads(byOrg: Record<string, LoadOptions> = {}): Map<string, OrganizationLoad> {
  return new Map(
    Object.entries(byOrg).map(([id, l]) => [
      id,
      {
        leadsThisWindow: l.window ?? 0,
        leadsThisWeek: l.week ?? 0,
        ...(l.last !== undefined && { lastAssignedAt: l.last }),
      },
    ]),
  );
}

export function request(overrides: Partial<RoutingRequest> = {}): RoutingRequest {
  return {
    referralId: REFERRAL_ID,
    assisterType: 'navigator',
    countyFips: HENNEPIN,
    referredAt: REFERRED_AT,
    ...overrides,
  };
}

export function daysBefore(iso: string, days: number): string {
  return new Date(Date.parse(iso) - days * DAY_MS).toISOString();
}

export function exclusions(decision: RoutingDecision): Record<string, Exclusion | 'eligible'> {
  return Object.fromEntries(decision.candidates.map((c) => [c.organizationId, c.excludedBecause ?? 'eligible']));
}
