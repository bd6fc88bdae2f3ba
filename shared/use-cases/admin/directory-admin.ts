import { RuleViolation } from '../../domain/errors';
import { emailDocument, escapeHtml } from '../../format/html';
import type { IsoDate } from '../../domain/minnesota-time';
import { IsoDateSchema } from '../../domain/minnesota-time';
import type { Organization } from '../../domain/organization';
import type { OrganizationRow, RowRefusal } from '../../domain/organization-import';
import { ORGANIZATION_COLUMNS, organizationToRow, rowToOrganization } from '../../domain/organization-import';
import { toCsv } from '../../format/csv';
import type { Mailer } from '../../ports/mailer.port';
import type { DirectoryAdminDeps, FieldChange } from './organizations';
import { changeOrganization, organizationChanges, saveOrganization } from './organizations';
import { z } from 'zod';

export interface DirectoryMailDeps extends DirectoryAdminDeps {
  readonly mailer: Mailer;
  readonly programContact: string;
}

const CONTACT_CHANGED_SUBJECT = 'Your PAL lead contact changed';

/**
 * A new designated lead contact, effective at once (the next lead goes there). Both addresses are
 * told, so a change nobody asked for is noticed by the one who loses the leads.
 */
export async function changeLeadEmail(
  deps: DirectoryMailDeps,
  organizationId: string,
  leadEmail: string,
  actor: string,
): Promise<{ organization: Organization; changes: FieldChange[] }> {
  const address = z.email().safeParse(leadEmail.trim());
  if (!address.success) throw new RuleViolation('leadEmail', 'format:email', 'must be an email address');
  let replaced: Organization | undefined;
  const result = await changeOrganization(
    deps,
    organizationId,
    (current) => {
      if (current.leadEmail.toLowerCase() === address.data.toLowerCase()) {
        throw new RuleViolation('leadEmail', 'different-address', 'is already the designated lead contact');
      }
      replaced = current;
      // A new address has no bounce history: it starts clean.
      const { leadContactStatus: _dropped, ...rest } = current;
      return { ...rest, leadEmail: address.data };
    },
    actor,
    'lead-email-changed',
  );
  const current = replaced!;
  const text = `The designated lead contact of ${current.name} in MNsure's Preferred Assister Lead program changed from ${current.leadEmail} to ${address.data}. New leads go to the new address from now on. If you did not ask for this change, write to ${deps.programContact} at once.`;
  for (const to of [current.leadEmail, address.data]) {
    await deps.mailer.send({
      to: [to],
      replyTo: [deps.programContact],
      subject: CONTACT_CHANGED_SUBJECT,
      text: `${text}\n`,
      html: emailDocument(CONTACT_CHANGED_SUBJECT, [`<p>${escapeHtml(text)}</p>`]),
      tags: { organizationId },
    });
  }
  return result;
}

/** Suspends an organization at once (no new leads), with a reason and an optional Minnesota date to resume on. */
export async function suspendOrganization(
  deps: DirectoryAdminDeps,
  organizationId: string,
  reason: string,
  resumesOn: IsoDate | undefined,
  actor: string,
): Promise<{ organization: Organization; changes: FieldChange[] }> {
  if (!reason.trim()) throw new RuleViolation('reason', 'required', 'a suspension needs a reason');
  if (resumesOn !== undefined && !IsoDateSchema.safeParse(resumesOn).success) {
    throw new RuleViolation('resumesOn', 'format:date', 'must be a date as YYYY-MM-DD');
  }
  return changeOrganization(
    deps,
    organizationId,
    (current) => ({
      ...current,
      status: {
        state: 'suspended',
        reason: reason.trim(),
        since: deps.clock().toISOString(),
        ...(resumesOn && { resumesOn }),
      },
    }),
    actor,
    'suspended',
  );
}

export async function resumeOrganization(
  deps: DirectoryAdminDeps,
  organizationId: string,
  actor: string,
): Promise<{ organization: Organization; changes: FieldChange[] }> {
  return changeOrganization(
    deps,
    organizationId,
    (current) => {
      if (current.status.state === 'active') {
        throw new RuleViolation('status', 'suspended', 'the organization is not suspended');
      }
      return { ...current, status: { state: 'active' } };
    },
    actor,
    'resumed',
  );
}

/** The daily job: organizations whose resume date has come (a Minnesota date) take leads again. */
export async function resumeDueOrganizations(deps: DirectoryAdminDeps, today: IsoDate): Promise<string[]> {
  const resumed: string[] = [];
  for (const org of await deps.directory.list()) {
    if (org.status.state === 'suspended' && org.status.resumesOn !== undefined && org.status.resumesOn <= today) {
      // Checked again on the record as written: ops may have changed it since the list was read.
      const { changes } = await changeOrganization(
        deps,
        org.organizationId,
        (current) =>
          current.status.state === 'suspended' &&
          current.status.resumesOn !== undefined &&
          current.status.resumesOn <= today
            ? { ...current, status: { state: 'active' } }
            : current,
        'auto-resume',
        'resumed',
      );
      if (changes.length > 0) resumed.push(org.organizationId);
    }
  }
  return resumed;
}

export interface ImportPlan {
  readonly added: Organization[];
  readonly changed: { organization: Organization; changes: FieldChange[] }[];
  readonly unchanged: string[];
  readonly refused: RowRefusal[];
}

/**
 * Plans an import: each row validated, compared with the directory. The dry run shows this plan;
 * applying it saves the added and changed organizations (each change audited) — unless `strict`
 * and any row was refused, in which case nothing is saved.
 */
export async function planOrganizationImport(
  deps: Pick<DirectoryAdminDeps, 'directory' | 'clock'>,
  rows: readonly OrganizationRow[],
): Promise<ImportPlan> {
  const existing = new Map((await deps.directory.list()).map((o) => [o.organizationId, o]));
  const plan: ImportPlan = { added: [], changed: [], unchanged: [], refused: [] };
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const rowNumber = i + 2;
    const id = (row.organizationId ?? '').trim();
    if (id && seen.has(id)) {
      plan.refused.push({
        row: rowNumber,
        organizationId: id,
        issues: [{ field: 'organizationId', rule: 'unique', message: 'appears on an earlier row of this file' }],
      });
      return;
    }
    seen.add(id);
    const before = existing.get(id);
    const result = rowToOrganization(row, rowNumber, before, deps.clock());
    if (!result.ok) plan.refused.push(result.refusal);
    else if (!before) plan.added.push(result.organization);
    else {
      const changes = organizationChanges(before, result.organization);
      if (changes.length === 0) plan.unchanged.push(id);
      else plan.changed.push({ organization: result.organization, changes });
    }
  });
  return plan;
}

export async function applyOrganizationImport(
  deps: DirectoryAdminDeps,
  plan: ImportPlan,
  options: { strict: boolean; actor: string; onProgress?: (done: number, total: number) => void },
): Promise<{ saved: number }> {
  if (options.strict && plan.refused.length > 0) return { saved: 0 };
  const toSave = [...plan.added, ...plan.changed.map((c) => c.organization)];
  let done = 0;
  for (const organization of toSave) {
    await saveOrganization(deps, organization, options.actor, 'imported');
    options.onProgress?.(++done, toSave.length);
  }
  return { saved: done };
}

export async function exportOrganizationsCsv(deps: Pick<DirectoryAdminDeps, 'directory'>): Promise<string> {
  const organizations = (await deps.directory.list()).sort((a, b) => a.organizationId.localeCompare(b.organizationId));
  return toCsv([[...ORGANIZATION_COLUMNS], ...organizations.map(organizationToRow)]);
}

/** The header row of a CSV or sheet, matched to the import columns (case and spaces ignored). */
export function rowsFromTable(table: readonly (readonly string[])[]): OrganizationRow[] {
  const [header, ...body] = table;
  if (!header) return [];
  const keys = header.map((h) =>
    ORGANIZATION_COLUMNS.find((c) => c.toLowerCase() === h.trim().replace(/\s+/g, '').toLowerCase()),
  );
  return body.map((cells) => {
    const row: OrganizationRow = {};
    keys.forEach((key, i) => {
      if (key) row[key] = cells[i] ?? '';
    });
    return row;
  });
}
