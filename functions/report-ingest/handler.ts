import type { EventBridgeEvent } from 'aws-lambda';
import { ObjectCreatedSchema, RETURN_PREFIXES } from '../../shared/api/jobs';
import { decodeObjectKey } from '../../shared/api/path-segment';
import { atColdStart } from '../../shared/wiring/cold-start';
import { reportIngestWiring } from '../../shared/wiring/reports';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import type { IngestDeps } from '../../shared/use-cases/ingest-report';
import type { SheetResult } from '../../shared/use-cases/report-refusal';
import { ingestReturnedFile } from '../../shared/use-cases/ingest-report';

export function createReportIngestHandler(deps: IngestDeps) {
  return async function handle(event: EventBridgeEvent<string, unknown>): Promise<SheetResult[]> {
    const parsed = ObjectCreatedSchema.safeParse(event);
    if (!parsed.success) {
      deps.log.error('Not an S3 Object Created event', { detailType: event['detail-type'], eventId: event.id });
      throw new Error('report-ingest received an event that is not an S3 Object Created');
    }
    const key = decodeObjectKey(parsed.data.detail.object.key);
    if (key === undefined) {
      // Not a key S3 would send: retrying cannot mend it.
      deps.log.warn('Object key with a malformed percent-escape ignored', { eventId: event.id });
      return [];
    }
    const source = key.startsWith(RETURN_PREFIXES.upload)
      ? 'upload'
      : key.startsWith(RETURN_PREFIXES.mailAttachment)
        ? 'email'
        : undefined;
    if (!source) {
      deps.log.warn('Object outside the return prefixes ignored', { key });
      return [];
    }
    const receivedAt = new Date(Date.parse(parsed.data.time)).toISOString();
    const { 'version-id': versionId, sequencer } = parsed.data.detail.object;
    const version = versionId ?? sequencer;
    return ingestReturnedFile(deps, { source, key, receivedAt, ...(version && { version }) });
  };
}

const ready = atColdStart(async () => createReportIngestHandler(await depsFromEnvironment(reportIngestWiring)));

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<SheetResult[]> =>
  (await ready())(event);
