import { NotFoundError } from '../../domain/errors';
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

/**
 * Adds or replaces an organization (effective at once: routing reads the directory on every
 * referral) and records who changed which field from what to what.
 */
export async function saveOrganization(
  deps: DirectoryAdminDeps,
  next: Organization,
  actor: string,
  action = 'organization-saved',
): Promise<{ organization: Organization; changes: FieldChange[] }> {
  const organization = OrganizationSchema.parse(next);
  const before = await deps.directory.get(organization.organizationId);
  const changes = organizationChanges(before, organization);
  if (changes.length === 0) return { organization, changes };
  await deps.directory.put(organization);
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
  return { organization, changes };
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
