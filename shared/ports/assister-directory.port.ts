import type { AssisterType } from '../domain/assister-type';
import type { Organization } from '../domain/organization';

export interface AssisterDirectory {
  /**
   * Organizations of the type that serve the county, plus the statewide ones of that type,
   * whatever their status (routing explains why it passed over each). No Scan: an index query.
   */
  candidatesFor(type: AssisterType, countyFips: string): Promise<Organization[]>;
  get(organizationId: string): Promise<Organization | undefined>;
  /** Adds or replaces an organization and its coverage entries. */
  put(organization: Organization): Promise<void>;
  list(): Promise<Organization[]>;
}
