/**
 * Who did what, when: directory changes (field, old and new value), lead views, reassignments.
 * Entries never hold consumer PII: subjects and actors are ids.
 */
export interface AuditEntry {
  /** What the entry is about, e.g. `referral#ref_…` or `organization#twin-cities-health-navigators`. */
  readonly subject: string;
  readonly at: string;
  readonly action: string;
  /** Who: `organization:<id>` for a link opened by an organization, an IAM principal or CLI user for ops. */
  readonly actor: string;
  readonly field?: string;
  readonly oldValue?: string;
  readonly newValue?: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Oldest first. */
  list(subject: string): Promise<AuditEntry[]>;
}
