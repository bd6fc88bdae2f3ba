import { ASSISTER_TYPES, type AssisterType } from './assister-type';
import { MINNESOTA_COUNTIES } from './counties';
import { LANGUAGE_CODES, type LanguageCode } from './languages';
import type { Organization } from './organization';

/*
 * Where the program has preferred assisters, and where it does not: one of the OE5 goals is to "fill geographic
 * gaps". For every county and assister type this counts the active organizations serving it, the languages they
 * offer, and the referrals the county sent lately, so ops can see both the holes and the demand behind them.
 */

/** A referral reduced to what coverage needs: where it came from, what it asked for, and when. */
export interface CoverageReferral {
  readonly countyFips: string;
  readonly assisterType: AssisterType;
  readonly preferredLanguage?: LanguageCode;
  readonly referredAt: string;
}

export interface CoverageInput {
  readonly organizations: readonly Organization[];
  readonly referrals: readonly CoverageReferral[];
  /** ISO instant: referrals from this instant on are counted (e.g. the last 30 days). */
  readonly since: string;
}

/**
 * - `uncovered`: no active organization at all; a referral from here is unroutable.
 * - `statewide-only`: only statewide organizations; leads go to an organization with no local presence.
 * - `county`: at least one active organization serves the county itself.
 */
export type CoverageLevel = 'uncovered' | 'statewide-only' | 'county';

export interface LanguageCoverage {
  readonly language: LanguageCode;
  /** Active organizations offering the language here: county-specific plus statewide. */
  readonly organizations: number;
  readonly countyOrganizations: number;
  readonly statewideOrganizations: number;
}

export interface LanguageDemand {
  readonly language: LanguageCode;
  /** Referrals since `since` whose consumer asked for this language. */
  readonly referrals: number;
}

/** One county for one assister type. */
export interface CountyCoverage {
  readonly countyFips: string;
  readonly countyName: string;
  readonly assisterType: AssisterType;
  readonly level: CoverageLevel;
  /** Active organizations serving the county: countyOrganizations + statewideOrganizations. */
  readonly activeOrganizations: number;
  readonly countyOrganizations: number;
  readonly statewideOrganizations: number;
  /** Ids of the active organizations serving it, county-specific first, each group sorted. */
  readonly organizationIds: readonly string[];
  /** Languages offered here by at least one active organization, in the program's language order. */
  readonly languages: readonly LanguageCoverage[];
  /** Referrals of this type from this county since `since`. */
  readonly referrals: number;
  /** The languages those referrals asked for (only the languages asked for), in the program's language order. */
  readonly referralLanguages: readonly LanguageDemand[];
}

export interface CoverageGap {
  readonly countyFips: string;
  readonly countyName: string;
  readonly assisterType: AssisterType;
  /** Referrals of this type from this county since `since`: the demand the gap leaves unserved or served from afar. */
  readonly referrals: number;
}

/** Consumers asked for a language no active organization serving their county offers. */
export interface LanguageGap extends CoverageGap {
  readonly language: LanguageCode;
  /** Referrals since `since` that asked for the language (a subset of `referrals`). */
  readonly languageReferrals: number;
}

export interface Coverage {
  readonly since: string;
  /** 87 counties × 2 types, ordered by FIPS, then type in the program's order (navigator, broker). */
  readonly counties: readonly CountyCoverage[];
  /** (county, type) with no active organization at all, statewide ones included. */
  readonly uncovered: readonly CoverageGap[];
  /** (county, type) with no active county-specific organization (the uncovered ones included). */
  readonly countyOnlyGaps: readonly CoverageGap[];
  readonly languageGaps: readonly LanguageGap[];
}

function key(countyFips: string, type: AssisterType): string {
  return `${countyFips}|${type}`;
}

function instantOf(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    throw new RangeError(`${what} is not an ISO instant: '${iso}'`);
  }
  return ms;
}

function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Coverage of every Minnesota county for every assister type, from the directory and the recent referrals. */
export function computeCoverage(input: CoverageInput): Coverage {
  // Instants, not strings: '2017-11-01T00:00:00-06:00' and '…Z' do not sort as text.
  const since = instantOf(input.since, 'since');

  // A suspended organization takes no leads (docs/architecture.md, flow 2), so it covers nothing.
  const active = input.organizations.filter((org) => org.status.state === 'active');

  const referralCounts = new Map<string, number>();
  const languageRequests = new Map<string, Map<LanguageCode, number>>();
  for (const referral of input.referrals) {
    if (instantOf(referral.referredAt, 'referredAt') < since) continue;
    const k = key(referral.countyFips, referral.assisterType);
    referralCounts.set(k, (referralCounts.get(k) ?? 0) + 1);
    if (referral.preferredLanguage !== undefined) {
      const asked = languageRequests.get(k) ?? new Map<LanguageCode, number>();
      asked.set(referral.preferredLanguage, (asked.get(referral.preferredLanguage) ?? 0) + 1);
      languageRequests.set(k, asked);
    }
  }

  const counties: CountyCoverage[] = [];
  const uncovered: CoverageGap[] = [];
  const countyOnlyGaps: CoverageGap[] = [];
  const languageGaps: LanguageGap[] = [];

  for (const county of MINNESOTA_COUNTIES) {
    for (const assisterType of ASSISTER_TYPES) {
      const ofType = active.filter((org) => org.type === assisterType);
      const local = ofType
        .filter((org) => org.coverage.kind === 'counties' && org.coverage.counties.includes(county.fips))
        .sort((a, b) => byId(a.organizationId, b.organizationId));
      const statewide = ofType
        .filter((org) => org.coverage.kind === 'statewide')
        .sort((a, b) => byId(a.organizationId, b.organizationId));

      const languages: LanguageCoverage[] = [];
      for (const language of LANGUAGE_CODES) {
        const countyOrganizations = local.filter((org) => org.languages.includes(language)).length;
        const statewideOrganizations = statewide.filter((org) => org.languages.includes(language)).length;
        if (countyOrganizations + statewideOrganizations > 0) {
          languages.push({
            language,
            organizations: countyOrganizations + statewideOrganizations,
            countyOrganizations,
            statewideOrganizations,
          });
        }
      }

      const k = key(county.fips, assisterType);
      const referrals = referralCounts.get(k) ?? 0;
      const asked = languageRequests.get(k);
      const referralLanguages: LanguageDemand[] = LANGUAGE_CODES.flatMap((language) => {
        const count = asked?.get(language) ?? 0;
        return count > 0 ? [{ language, referrals: count }] : [];
      });

      const level: CoverageLevel = local.length > 0 ? 'county' : statewide.length > 0 ? 'statewide-only' : 'uncovered';
      const place = { countyFips: county.fips, countyName: county.name, assisterType };
      counties.push({
        ...place,
        level,
        activeOrganizations: local.length + statewide.length,
        countyOrganizations: local.length,
        statewideOrganizations: statewide.length,
        organizationIds: [...local, ...statewide].map((org) => org.organizationId),
        languages,
        referrals,
        referralLanguages,
      });
      if (level === 'uncovered') uncovered.push({ ...place, referrals });
      if (level !== 'county') countyOnlyGaps.push({ ...place, referrals });
      for (const demand of referralLanguages) {
        if (!languages.some((offered) => offered.language === demand.language)) {
          languageGaps.push({ ...place, referrals, language: demand.language, languageReferrals: demand.referrals });
        }
      }
    }
  }

  return { since: input.since, counties, uncovered, countyOnlyGaps, languageGaps };
}

/** The coverage of one county for one type; undefined for a FIPS code that is not a Minnesota county. */
export function countyCoverage(
  coverage: Coverage,
  countyFips: string,
  assisterType: AssisterType,
): CountyCoverage | undefined {
  return coverage.counties.find((entry) => entry.countyFips === countyFips && entry.assisterType === assisterType);
}
