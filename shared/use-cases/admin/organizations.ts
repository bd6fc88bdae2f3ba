import { ConcurrentUpdateError, NotFoundError, StaleCopyError } from '../../domain/errors';
import type { Organization } from '../../domain/organization';
import { OrganizationSchema } from '../../domain/organization';
import type { AssisterDirectory } from '../../ports/assister-directory.port';
import type { AuditEntry, AuditLog } from '../../ports/audit-log.port';
import type { Log } from '../../ports/logger.port';

export interface DirectoryAdminDeps {
  readonly directory: AssisterDirectory;
  readonly audit: AuditLog;
  readonly log: Log;
  readonly clock: () => Date;
}

export interface FieldChange {
  readonly field: string;
  readonly oldValue?: string;
  readonly newValue?: string;
}

/** The fields that differ between two versions of an organization, as the audit records them. */
export function organizationChanges(before: Organization | undefined, after: Organization): FieldChange[] {
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  const changes: FieldChange[] = [];
  for (const field of [...fields].sort()) {
    const oldValue = show((before as Record<string, unknown> | undefined)?.[field]);
    const newValue = show((after as Record<string, unknown>)[field]);
    if (oldValue !== newValue) {
      changes.push({ field, ...(oldValue !== undefined && { oldValue }), ...(newValue !== undefined && { newValue }) });
    }
  }
  return changes;
}

/** An organization as saved, with the version of its record now (for HTTP ETags). */
export interface SavedOrganization {
  readonly organization: Organization;
  readonly changes: FieldChange[];
  readonly version: number;
}

/** Compare-and-set attempts before giving up: only a burst of writes to one organization uses them up. */
const UPDATE_ATTEMPTS = 5;

/**
 * Changes an organization (effective at once: routing reads the directory on every referral) and
 * records who changed which field from what to what. `change` is applied to the record as stored
 * now, and the write succeeds only if nobody wrote it meanwhile; otherwise it is read and applied
 * again. So a bounce marking the contact failing and an admin's suspension at the same moment both
 * stick, and the audit's old values are the ones really replaced. With `expectedVersion` (an HTTP
 * If-Match), a record at any other version is refused with StaleCopyError instead.
 */
export async function updateOrganization(
  deps: DirectoryAdminDeps,
  organizationId: string,
  change: (current: Organization | undefined) => Organization,
  actor: string,
  action = 'organization-saved',
  options: { expectedVersion?: number } = {},
): Promise<SavedOrganization> {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.directory.getVersioned(organizationId);
    const before = stored?.organization;
    const version = stored?.version ?? 0;
    if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
      throw new StaleCopyError(
        `Organization ${organizationId} is at version ${version}, not ${options.expectedVersion}: read it again`,
      );
    }
    const organization = OrganizationSchema.parse(change(before));
    const changes = organizationChanges(before, organization);
    if (changes.length === 0) return { organization, changes, version };
    try {
      await deps.directory.put(organization, version);
    } catch (error) {
      if (error instanceof ConcurrentUpdateError && attempt < UPDATE_ATTEMPTS) continue;
      throw error;
    }
    const at = deps.clock().toISOString();
    for (const change of changes) {
      const entry: AuditEntry = {
        subject: `organization#${organization.organizationId}`,
        at,
        action: before ? action : 'organization-added',
        actor,
        ...change,
      };
      await deps.audit.record(entry);
    }
    deps.log.info('Organization saved', {
      organizationId: organization.organizationId,
      fields: changes.map((c) => c.field),
    });
    return { organization, changes, version: version + 1 };
  }
}

/**
 * Adds or replaces an organization with a whole record from ops (admin API PUT, `pal orgs save`,
 * an import). What the system keeps about the lead contact (failing after a bounce, when it was
 * asked and confirmed) stays unless the record says otherwise: a record written from an older
 * copy, or from a spreadsheet without those columns, must not send leads to a bouncing address.
 * A new lead email starts with no failure of its own.
 */
export async function saveOrganization(
  deps: DirectoryAdminDeps,
  next: Organization,
  actor: string,
  action = 'organization-saved',
  options: { expectedVersion?: number } = {},
): Promise<SavedOrganization> {
  return updateOrganization(
    deps,
    next.organizationId,
    (current) => keepContactRecord(next, current),
    actor,
    action,
    options,
  );
}

function keepContactRecord(next: Organization, current: Organization | undefined): Organization {
  if (!current) return next;
  const sameAddress = current.leadEmail.toLowerCase() === next.leadEmail.toLowerCase();
  return {
    ...(sameAddress && current.leadContactStatus && { leadContactStatus: current.leadContactStatus }),
    ...(current.leadContactConfirmedAt && { leadContactConfirmedAt: current.leadContactConfirmedAt }),
    ...(current.leadContactConfirmationSentAt && {
      leadContactConfirmationSentAt: current.leadContactConfirmationSentAt,
    }),
    ...next,
  };
}

/** Changes an existing organization; NotFoundError when there is none. */
export async function changeOrganization(
  deps: DirectoryAdminDeps,
  organizationId: string,
  change: (current: Organization) => Organization,
  actor: string,
  action: string,
): Promise<SavedOrganization> {
  return updateOrganization(
    deps,
    organizationId,
    (current) => {
      if (!current) throw new NotFoundError(`Organization ${organizationId} does not exist`);
      return change(current);
    },
    actor,
    action,
  );
}

/** Loads an organization or fails with a NotFoundError naming it. */
export async function requireOrganization(
  deps: Pick<DirectoryAdminDeps, 'directory'>,
  id: string,
): Promise<Organization> {
  const organization = await deps.directory.get(id);
  if (!organization) throw new NotFoundError(`Organization ${id} does not exist`);
  return organization;
}

function show(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
