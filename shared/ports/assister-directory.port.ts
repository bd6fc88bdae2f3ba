import type { AssisterType } from '../domain/assister-type';
import type { Organization } from '../domain/organization';

export interface AssisterDirectory {
  /**
   * Organizations of the type that serve the county, plus the statewide ones of that type,
   * whatever their status (routing explains why it passed over each). No Scan: an index query.
   */
  candidatesFor(type: AssisterType, countyFips: string): Promise<Organization[]>;
  get(organizationId: string): Promise<Organization | undefined>;
  /** The organization with the version of its stored record (0: never saved with a version). */
  getVersioned(organizationId: string): Promise<{ organization: Organization; version: number } | undefined>;
  /**
   * Adds or replaces an organization and its coverage entries. With `expectedVersion`, only if the
   * stored record is still that version (0: absent or unversioned), else ConcurrentUpdateError;
   * without it (seeding), unconditionally.
   */
  put(organization: Organization, expectedVersion?: number): Promise<void>;
  list(): Promise<Organization[]>;
}
