import type { AdminConfig } from '../config';
import { AdminConfigSchema } from '../config';
import type { Mailer } from '../ports/mailer.port';
import type { DueDeps } from '../use-cases/check-due-reports';
import type { OpsFiguresDeps } from '../use-cases/admin/ops-figures';
import type { ReassignDeps } from '../use-cases/reassign-referral';
import type { IngestDeps } from '../use-cases/ingest-report';
import type { LocalCredentials } from '../adapters/aws-clients';
import { documentClient } from '../adapters/aws-clients';
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.adapter';
import { DynamoReferralStore } from '../adapters/dynamo-referral-store.adapter';
import { createLogger } from '../adapters/logger';
import { buildReportDeps } from './reports';
import { buildRouteReferralDeps } from './routing';
import { wiring } from './wiring';

/**
 * Everything ops' tools touch: routing (reassign, resend), reports (send, due, resend, overdue), the
 * directory, the audit. Two senders: `mailer` sends leads and directory notices from the lead
 * sender; `reportMailer` sends reports from the report sender (pass `reportDepsOf(deps)` to the
 * report use cases).
 */
export type AdminDeps = ReassignDeps & IngestDeps & DueDeps & OpsFiguresDeps & { readonly reportMailer: Mailer };

export function buildAdminDeps(config: AdminConfig, serviceName: string, credentials?: LocalCredentials): AdminDeps {
  const doc = documentClient(config, credentials);
  const referrals = new DynamoReferralStore(doc, config.REFERRALS_TABLE);
  const reporting = buildReportDeps(config, serviceName, credentials);
  const routing = buildRouteReferralDeps(config, credentials);
  return {
    ...reporting,
    ...routing,
    mailer: routing.mailer,
    reportMailer: reporting.mailer,
    referrals,
    days: referrals,
    audit: new DynamoAuditLog(doc, config.AUDIT_TABLE),
    log: createLogger(serviceName),
  };
}

/** The deps as a report use case needs them: the same adapters, mailing from the report sender. */
export function reportDepsOf<T extends AdminDeps>(deps: T): T {
  return { ...deps, mailer: deps.reportMailer };
}

export const adminApiWiring = wiring(AdminConfigSchema, (config: AdminConfig, credentials?: LocalCredentials) =>
  buildAdminDeps(config, 'admin-api', credentials),
);
