import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Organization } from '../../shared/domain/organization';
import { OrganizationSchema } from '../../shared/domain/organization';
import type { Referral } from '../../shared/domain/referral';
import { loadDefaultReportingCalendar } from '../../shared/domain/reporting-calendar';
import { DEFAULT_ROUTING_POLICY } from '../../shared/domain/routing';
import type { ReferralStore } from '../../shared/ports/referral-store.port';
import type { ReassignDeps } from '../../shared/use-cases/reassign-referral';
import { receiveReferral } from '../../shared/use-cases/receive-referral';
import type { RouteReferralResult } from '../../shared/use-cases/route-referral';
import { routeReferral } from '../../shared/use-cases/route-referral';
import { InMemoryAuditLog, InMemoryConsumerHistory, InMemoryDirectory } from './in-memory-directory';
import { InMemoryEvents, InMemoryMailer, MemoryLog } from './in-memory-outbox';
import { InMemoryReferralStore } from './in-memory-referral-store';

/*
 * Intake, routing, lead delivery, reassignment and resend on in-memory ports: the use cases' state
 * machine, fast. The DynamoDB and SES adapters behind these ports are tested on the stand-ins in
 * test/integration; the in-memory store keeps the same conditions the DynamoDB one writes.
 */

export const HOUR = 60 * 60 * 1000;
/** The claim's life in production (LEAD_CLAIM_TTL_HOURS' default): longer than EventBridge's 24 h of retries. */
export const CLAIM_TTL_MS = 25 * HOUR;

/** Two Hennepin navigators (one speaks Spanish), a suspended one, and a statewide broker. */
export const SPANISH = 'twin-cities-health-navigators';
export const OTHER = 'north-star-community-clinic';
export const SUSPENDED = 'lakes-suspended-navigators';
export const BROKER = 'gopher-state-insurance-brokers';

export const leadEmailOf = (organizationId: string) => `leads@${organizationId}.example.org`;

function organization(id: string, changes: Partial<Organization> = {}): Organization {
  return OrganizationSchema.parse({
    organizationId: id,
    name: id.replace(/-/g, ' '),
    type: 'navigator',
    leadEmail: leadEmailOf(id),
    coverage: { kind: 'counties', counties: ['27053'] },
    languages: ['en'],
    status: { state: 'active' },
    ...changes,
  });
}

export const ORGANIZATIONS: readonly Organization[] = [
  organization(SPANISH, { languages: ['en', 'es'] }),
  organization(OTHER),
  organization(SUSPENDED, {
    status: { state: 'suspended', reason: 'Staff vacancy', since: '2026-11-02T15:00:00.000Z' },
  }),
  organization(BROKER, { type: 'broker', coverage: { kind: 'statewide' } }),
];

const sample = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'referral.json'), 'utf8')) as Record<
  string,
  unknown
>;

/** Per-method faults on the referral store: `fail.completeLeadEmail = error` throws it once there. */
export type StoreFaults = Partial<Record<keyof ReferralStore, Error>>;

export interface LeadWorld {
  readonly deps: ReassignDeps;
  readonly referrals: InMemoryReferralStore;
  readonly directory: InMemoryDirectory;
  readonly mailer: InMemoryMailer;
  readonly events: InMemoryEvents;
  readonly audit: InMemoryAuditLog;
  readonly log: MemoryLog;
  /** The next call of each named store method throws the given error (a crash, a lost write). */
  readonly fail: StoreFaults;
  /** The clock the use cases read; tests move it. */
  now: Date;
  /** A referral received through intake (the README's sample as a new consumer, with changes). */
  receive(changes?: { consumer?: Record<string, unknown>; [key: string]: unknown }): Promise<Referral>;
  /** One delivery of `Referral Created` to routing. */
  route(referralId: string): Promise<RouteReferralResult>;
  referral(referralId: string): Referral;
  /** The lead emails sent for a referral (its id is in the subject), to whom. */
  leadsOf(referralId: string): string[];
}

export function leadWorld(organizations: readonly Organization[] = ORGANIZATIONS): LeadWorld {
  const referrals = new InMemoryReferralStore();
  const directory = new InMemoryDirectory(organizations);
  const mailer = new InMemoryMailer();
  const events = new InMemoryEvents();
  const audit = new InMemoryAuditLog();
  const log = new MemoryLog();
  const fail: StoreFaults = {};
  let consumers = 0;
  const world: LeadWorld = {
    now: new Date('2026-12-02T15:00:00Z'),
    referrals,
    directory,
    mailer,
    events,
    audit,
    log,
    fail,
    deps: {
      referrals: withFaults(referrals, fail),
      ledger: referrals,
      directory,
      consumerHistory: new InMemoryConsumerHistory(() => world.now),
      events,
      mailer,
      audit,
      calendar: loadDefaultReportingCalendar(),
      log,
      clock: () => world.now,
      consumerKeySecret: Buffer.from('a consumer key secret of 32+ characters', 'utf8'),
      programContact: 'assisterleads@mnsure.example.org',
      policy: DEFAULT_ROUTING_POLICY,
      leadClaimTtlMs: CLAIM_TTL_MS,
      leadLinks: {
        publicApiUrl: 'https://links.example.org',
        signingSecret: Buffer.from('a test signing secret of 32+ characters', 'utf8'),
        linkDays: 14,
      },
    },
    async receive(changes = {}) {
      const n = consumers++;
      const { consumer, ...rest } = changes;
      const body = {
        ...structuredClone(sample),
        crmReferralId: `CRM-FAST-${n}`,
        referredAt: world.now.toISOString(),
        ...rest,
        consumer: {
          ...(sample.consumer as Record<string, unknown>),
          phone: `612-555-${String(1000 + n).slice(-4)}`,
          email: `consumer-${n}@example.org`,
          ...consumer,
        },
      };
      const result = await receiveReferral({ referrals, events, log, clock: () => world.now }, body);
      if (result.kind !== 'created') throw new Error(`intake did not create the referral: ${JSON.stringify(result)}`);
      return result.referral;
    },
    route: (referralId) => routeReferral(world.deps, referralId),
    referral: (referralId) => referrals.peek(referralId)!,
    leadsOf: (referralId) => mailer.sent.filter((e) => e.subject.includes(referralId)).flatMap((e) => e.to),
  };
  return world;
}

/** The store with `fail`'s faults in front of it: each named method throws its error once. */
function withFaults(store: InMemoryReferralStore, fail: StoreFaults): ReferralStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const error = fail[property as keyof ReferralStore];
        if (error) {
          delete fail[property as keyof ReferralStore];
          throw error;
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
