import { buildRouteReferralDeps } from './routing-deps';
import type { AdminConfig } from '../config';
import type { DueDeps } from '../use-cases/check-due-reports';
import type { OpsFiguresDeps } from '../use-cases/admin/ops-figures';
import type { ReassignDeps } from '../use-cases/reassign-referral';
import type { IngestDeps } from '../use-cases/ingest-report';
import type { LocalCredentials } from './aws-clients';
import { documentClient } from './aws-clients';
import { DynamoAuditLog } from './dynamo-audit-log.adapter';
import { DynamoReferralStore } from './dynamo-referral-store.adapter';
import { createLogger } from './logger';
import { buildReportDeps } from './report-deps';

/** Everything ops' tools touch: routing (reassign), reports (resend, overdue), the directory, the audit. */
export type AdminDeps = ReassignDeps & IngestDeps & DueDeps & OpsFiguresDeps;

export function buildAdminDeps(config: AdminConfig, serviceName: string, credentials?: LocalCredentials): AdminDeps {
  const doc = documentClient(config, credentials);
  const referrals = new DynamoReferralStore(doc, config.REFERRALS_TABLE);
  return {
    ...buildReportDeps(config, serviceName, credentials),
    ...buildRouteReferralDeps(config, credentials),
    referrals,
    ledger: referrals,
    days: referrals,
    audit: new DynamoAuditLog(doc, config.AUDIT_TABLE),
    log: createLogger(serviceName),
  };
}
