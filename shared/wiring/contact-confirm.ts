import type { ContactConfirmPageConfig } from '../config';
import { ContactConfirmPageConfigSchema } from '../config';
import type { ContactConfirmDeps } from '../use-cases/contact-confirmations';
import type { LocalCredentials } from '../adapters/aws-clients';
import { documentClient } from '../adapters/aws-clients';
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.adapter';
import { DynamoAssisterDirectory } from '../adapters/dynamo-directory.adapter';
import { createLogger } from '../adapters/logger';
import { wiring } from './wiring';

export type ContactConfirmPageDeps = ContactConfirmDeps & { readonly programContact: string };

/** contact-confirm: the page a confirmation link opens. */
export function buildContactConfirmPageDeps(
  config: ContactConfirmPageConfig,
  credentials?: LocalCredentials,
): ContactConfirmPageDeps {
  const doc = documentClient(config, credentials);
  return {
    directory: new DynamoAssisterDirectory(doc, config.DIRECTORY_TABLE),
    audit: new DynamoAuditLog(doc, config.AUDIT_TABLE),
    signingSecret: Buffer.from(config.SIGNING_SECRET, 'utf8'),
    programContact: config.PROGRAM_CONTACT,
    log: createLogger('contact-confirm'),
    clock: () => new Date(),
  };
}

export const contactConfirmWiring = wiring(ContactConfirmPageConfigSchema, buildContactConfirmPageDeps);
