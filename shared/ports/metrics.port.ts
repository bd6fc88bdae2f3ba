/** Operational figures for CloudWatch (embedded metric format on AWS). */
export interface OpsMetrics {
  /** Reports past their due date and not complete, as counted by one due-date run. */
  overdueReports(count: number): void;
}

/** The lead-contact figure, apart so the report jobs' metrics need not know it. */
export interface ContactMetrics {
  /** Active organizations asked to confirm their lead contact too long ago and still unconfirmed. */
  unconfirmedContacts(count: number): void;
}
