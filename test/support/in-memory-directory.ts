import type { AssisterType } from '../../shared/domain/assister-type';
import { ConcurrentUpdateError } from '../../shared/domain/errors';
import type { Organization } from '../../shared/domain/organization';
import { OrganizationSchema, servesCounty } from '../../shared/domain/organization';
import type { PreviousReferral } from '../../shared/domain/routing';
import type { AssisterDirectory } from '../../shared/ports/assister-directory.port';
import type { AuditEntry, AuditLog } from '../../shared/ports/audit-log.port';
import type { ConsumerHistory } from '../../shared/ports/consumer-history.port';

/**
 * The directory in memory, as `DynamoAssisterDirectory` keeps it: organizations validated on the way
 * in, a version per record for `put(org, expectedVersion)`, candidates of the type serving the county
 * or statewide, sorted by id.
 */
export class InMemoryDirectory implements AssisterDirectory {
  private readonly items = new Map<string, { organization: Organization; version: number }>();

  constructor(organizations: readonly Organization[] = []) {
    for (const org of organizations)
      this.items.set(org.organizationId, { organization: structuredClone(org), version: 0 });
  }

  async candidatesFor(type: AssisterType, countyFips: string): Promise<Organization[]> {
    return (await this.list()).filter((o) => o.type === type && servesCounty(o, countyFips));
  }
  async get(organizationId: string): Promise<Organization | undefined> {
    return (await this.getVersioned(organizationId))?.organization;
  }
  async getVersioned(organizationId: string) {
    const item = this.items.get(organizationId);
    return item && { organization: structuredClone(item.organization), version: item.version };
  }
  async put(organization: Organization, expectedVersion?: number): Promise<void> {
    const org = OrganizationSchema.parse(organization);
    const current = this.items.get(org.organizationId);
    if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion) {
      throw new ConcurrentUpdateError(`Organization ${org.organizationId} changed since it was read`);
    }
    const version = expectedVersion === undefined ? (current?.version ?? 0) : expectedVersion + 1;
    this.items.set(org.organizationId, { organization: structuredClone(org), version });
  }
  async list(): Promise<Organization[]> {
    return [...this.items.values()]
      .map((i) => structuredClone(i.organization))
      .sort((a, b) => a.organizationId.localeCompare(b.organizationId));
  }
}

/**
 * Consumer keys in memory, as `DynamoConsumerHistory` keeps them: an entry expires at its TTL (read
 * against the clock, as DynamoDB deletes late), and an earlier referral never replaces a later one.
 */
export class InMemoryConsumerHistory implements ConsumerHistory {
  /** `expiresAt` in epoch seconds, as DynamoDB's TTL attribute holds it. */
  private readonly items = new Map<string, PreviousReferral & { expiresAt: number }>();

  constructor(private readonly clock: () => Date) {}

  async latest(consumerKeys: readonly string[]): Promise<PreviousReferral | undefined> {
    const now = Math.floor(this.clock().getTime() / 1000);
    const live = consumerKeys.flatMap((k) => {
      const item = this.items.get(k);
      return item && item.expiresAt > now ? [item] : [];
    });
    const newest = live.sort((a, b) => b.referredAt.localeCompare(a.referredAt))[0];
    return (
      newest && { referralId: newest.referralId, organizationId: newest.organizationId, referredAt: newest.referredAt }
    );
  }
  async remember(consumerKeys: readonly string[], referral: PreviousReferral, expiresAt: Date): Promise<void> {
    for (const key of consumerKeys) {
      const current = this.items.get(key);
      if (!current || current.referredAt <= referral.referredAt) {
        this.items.set(key, { ...referral, expiresAt: Math.floor(expiresAt.getTime() / 1000) });
      }
    }
  }
}

/** The audit log in memory: entries kept in the order written, listed per subject. */
export class InMemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];

  async record(entry: AuditEntry): Promise<void> {
    this.entries.push({ ...entry });
  }
  async list(subject: string): Promise<AuditEntry[]> {
    return this.entries.filter((e) => e.subject === subject).sort((a, b) => a.at.localeCompare(b.at));
  }
}
