/** Operational figures for CloudWatch (embedded metric format on AWS). */
export interface OpsMetrics {
  /** Reports past their due date and not complete, as counted by one due-date run. */
  overdueReports(count: number): void;
}
