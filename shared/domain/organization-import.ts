import { countyByFips, resolveCounty } from './counties';
import type { Organization } from './organization';
import { OrganizationSchema } from './organization';
import type { FieldIssue } from './validation';
import { toFieldIssues } from './validation';

/**
 * The directory as a spreadsheet (CSV or .xlsx, one organization a row), for import and export.
 * Counties are names or FIPS codes separated by semicolons, or "statewide"; languages are codes.
 */
export const ORGANIZATION_COLUMNS = [
  'organizationId',
  'name',
  'type',
  'leadEmail',
  'counties',
  'languages',
  'status',
  'suspendedReason',
  'resumesOn',
  'weeklyCapacity',
  'deliveryMode',
] as const;

export type OrganizationRow = Partial<Record<(typeof ORGANIZATION_COLUMNS)[number], string>>;

export interface RowRefusal {
  /** The row number as the file shows it (the header is row 1). */
  readonly row: number;
  readonly organizationId?: string;
  readonly issues: FieldIssue[];
}

export function organizationToRow(org: Organization): string[] {
  return [
    org.organizationId,
    org.name,
    org.type,
    org.leadEmail,
    org.coverage.kind === 'statewide'
      ? 'statewide'
      : org.coverage.counties.map((f) => countyByFips(f)?.name ?? f).join('; '),
    org.languages.join('; '),
    org.status.state,
    org.status.state === 'suspended' ? org.status.reason : '',
    org.status.state === 'suspended' ? (org.status.resumesOn ?? '') : '',
    org.weeklyCapacity === undefined ? '' : String(org.weeklyCapacity),
    org.deliveryMode ?? '',
  ];
}

/**
 * A row as an Organization, or every problem with it (field and rule). An existing organization's
 * fields the sheet does not carry (contact status, confirmations, suspension date) are kept.
 */
export function rowToOrganization(
  row: OrganizationRow,
  rowNumber: number,
  existing: Organization | undefined,
  now: Date,
): { ok: true; organization: Organization } | { ok: false; refusal: RowRefusal } {
  const issues: FieldIssue[] = [];
  const text = (key: keyof OrganizationRow) => (row[key] ?? '').trim();
  const list = (key: keyof OrganizationRow) =>
    text(key)
      .split(/[;|]/)
      .map((v) => v.trim())
      .filter(Boolean);

  let coverage: Organization['coverage'] | undefined;
  if (/^statewide$/i.test(text('counties'))) coverage = { kind: 'statewide' };
  else {
    const counties: string[] = [];
    for (const name of list('counties')) {
      const county = resolveCounty(name);
      if (county) counties.push(county.fips);
      else issues.push({ field: 'counties', rule: 'minnesota-county', message: `"${name}" is not a Minnesota county` });
    }
    coverage = { kind: 'counties', counties: [...new Set(counties)] };
  }
  const state = text('status') || 'active';
  const status =
    state === 'suspended'
      ? {
          state: 'suspended' as const,
          reason: text('suspendedReason'),
          since: existing?.status.state === 'suspended' ? existing.status.since : now.toISOString(),
          ...(text('resumesOn') && { resumesOn: text('resumesOn') }),
        }
      : state === 'active'
        ? { state: 'active' as const }
        : undefined;
  if (!status) issues.push({ field: 'status', rule: 'one-of', message: 'must be active or suspended' });
  const capacity = text('weeklyCapacity');
  const candidate = {
    ...(existing && {
      ...(existing.leadContactStatus && { leadContactStatus: existing.leadContactStatus }),
      ...(existing.leadContactConfirmedAt && { leadContactConfirmedAt: existing.leadContactConfirmedAt }),
      ...(existing.leadContactConfirmationSentAt && {
        leadContactConfirmationSentAt: existing.leadContactConfirmationSentAt,
      }),
    }),
    organizationId: text('organizationId'),
    name: text('name'),
    type: text('type'),
    leadEmail: text('leadEmail'),
    coverage,
    languages: list('languages'),
    status: status ?? { state: 'active' },
    ...(capacity && { weeklyCapacity: /^\d+$/.test(capacity) ? Number(capacity) : capacity }),
    ...(text('deliveryMode') && { deliveryMode: text('deliveryMode') }),
  };
  const parsed = OrganizationSchema.safeParse(candidate);
  if (!parsed.success) {
    issues.push(
      ...toFieldIssues(parsed.error).map((i) => ({
        ...i,
        field: i.field.startsWith('coverage')
          ? 'counties'
          : i.field.startsWith('status')
            ? 'suspendedReason'
            : i.field.split('.')[0]!,
      })),
    );
  }
  if (issues.length > 0 || !parsed.success) {
    return {
      ok: false,
      refusal: { row: rowNumber, ...(text('organizationId') && { organizationId: text('organizationId') }), issues },
    };
  }
  return { ok: true, organization: parsed.data };
}
