import type { EventBridgeEvent } from 'aws-lambda';
import { ObjectCreatedSchema, RETURN_PREFIXES } from '../../shared/api/jobs';
import { decodeObjectKey } from '../../shared/api/path-segment';
import { atColdStart } from '../../shared/wiring/cold-start';
import { mailIntakeWiring } from '../../shared/wiring/mail-intake';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import type { MailIntakeDeps, UnpackResult } from '../../shared/use-cases/unpack-inbound-mail';
import { unpackInboundMail } from '../../shared/use-cases/unpack-inbound-mail';

/** On S3 "Object Created" under inbound/ (SES receiving): unpack the email's sheets for report-ingest. */
export function createMailIntakeHandler(deps: MailIntakeDeps) {
  return async function handle(event: EventBridgeEvent<string, unknown>): Promise<UnpackResult | undefined> {
    const parsed = ObjectCreatedSchema.safeParse(event);
    if (!parsed.success) {
      deps.log.error('Not an S3 Object Created event', { detailType: event['detail-type'], eventId: event.id });
      throw new Error('mail-intake received an event that is not an S3 Object Created');
    }
    const key = decodeObjectKey(parsed.data.detail.object.key);
    if (key === undefined) {
      // Not a key S3 would send: retrying cannot mend it.
      deps.log.warn('Object key with a malformed percent-escape ignored', { eventId: event.id });
      return undefined;
    }
    if (!key.startsWith(RETURN_PREFIXES.email)) {
      deps.log.warn('Object outside the inbound prefix ignored', { key });
      return undefined;
    }
    return unpackInboundMail(deps, {
      source: 'email',
      key,
      receivedAt: new Date(Date.parse(parsed.data.time)).toISOString(),
    });
  };
}

const ready = atColdStart(async () => createMailIntakeHandler(await depsFromEnvironment(mailIntakeWiring)));

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<UnpackResult | undefined> =>
  (await ready())(event);
