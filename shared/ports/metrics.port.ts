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

/** Why mail-intake refused an inbound email before reading any attachment (counted, never answered). */
export type InboundMailRefusal =
  | 'too-large'
  | 'unreadable-headers'
  | 'unknown-sender'
  | 'unauthenticated-sender'
  | 'spam-verdict'
  | 'virus-verdict'
  | 'mime-too-complex';

/** The inbound-mail figure: mail refused before parsing, by reason (no address, no file name). */
export interface InboundMailMetrics {
  inboundMailRefused(reason: InboundMailRefusal): void;
}
