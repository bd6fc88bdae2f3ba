import type { LeadPageConfig } from '../config';
import { LeadPageConfigSchema } from '../config';
import type { AssisterDirectory } from '../ports/assister-directory.port';
import type { AuditLog } from '../ports/audit-log.port';
import type { Log } from '../ports/logger.port';
import type { ReferralStore } from '../ports/referral-store.port';
import type { LocalCredentials } from '../adapters/aws-clients';
import { documentClient } from '../adapters/aws-clients';
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.adapter';
import { DynamoAssisterDirectory } from '../adapters/dynamo-directory.adapter';
import { DynamoReferralStore } from '../adapters/dynamo-referral-store.adapter';
import { createLogger } from '../adapters/logger';
import { wiring } from './wiring';

export interface LeadPageDeps {
  readonly referrals: Pick<ReferralStore, 'get'>;
  readonly directory: Pick<AssisterDirectory, 'get'>;
  readonly audit: AuditLog;
  readonly signingSecret: Buffer;
  readonly programContact: string;
  readonly log: Log;
  readonly clock: () => Date;
}

export function buildLeadPageDeps(config: LeadPageConfig, credentials?: LocalCredentials): LeadPageDeps {
  const doc = documentClient(config, credentials);
  return {
    referrals: new DynamoReferralStore(doc, config.REFERRALS_TABLE),
    directory: new DynamoAssisterDirectory(doc, config.DIRECTORY_TABLE),
    audit: new DynamoAuditLog(doc, config.AUDIT_TABLE),
    signingSecret: Buffer.from(config.SIGNING_SECRET, 'utf8'),
    programContact: config.PROGRAM_CONTACT,
    log: createLogger('lead-page'),
    clock: () => new Date(),
  };
}

export const leadPageWiring = wiring(LeadPageConfigSchema, buildLeadPageDeps);
