import { buildEvent } from '../../events/envelope';
import { ReportReceived } from '../../events/report-events';
import type { Report } from '../domain/report';
import { composeRefusalEmail } from '../domain/report-email';
import type { EventPublisher, OutgoingEvent } from '../ports/event-publisher.port';
import type { Log } from '../ports/logger.port';
import type { Mailer } from '../ports/mailer.port';

/*
 * What the two halves of returned-sheet handling share — mail-intake (inbound email, MIME) and
 * report-ingest (the sheets) — kept apart from both so neither bundle carries the other's parser.
 */

export interface RefusalDeps {
  readonly mailer: Mailer;
  readonly events: EventPublisher;
  readonly log: Log;
  readonly clock: () => Date;
  readonly programContact: string;
}

/**
 * Where a returned file came from: an upload (returned/) or an email's attachment (received/, or the
 * mail in inbound/); `version` tells two objects stored under one key apart (S3's version id, or its
 * event sequencer), so a redelivered event is the same file and a re-upload is not.
 */
export type FileOrigin = {
  source: 'upload' | 'email';
  key: string;
  receivedAt: string;
  version?: string;
};

export interface SheetResult {
  readonly outcome: 'ingested' | 'refused' | 'duplicate';
  readonly reportId?: string;
  readonly refusal?: string;
  readonly accepted?: number;
  /** Accepted rows whose values differ from what the referral held. */
  readonly changed?: number;
  /** Valid rows not stored: a file that arrived later already answered them. */
  readonly superseded?: number;
  /** When a file with the same bytes was first applied to the report. */
  readonly alreadyAppliedAt?: string;
  readonly problems?: number;
  readonly missing?: number;
  readonly status?: 'complete' | 'incomplete';
}

export class Refusal extends Error {
  constructor(
    readonly rule: string,
    readonly reason: string,
    readonly notify?: { to: string; fileName?: string },
  ) {
    super(reason);
    this.name = 'Refusal';
  }
}

export async function refuse(deps: RefusalDeps, origin: FileOrigin, refusal: Refusal): Promise<SheetResult> {
  deps.log.warn('Returned file refused', { fileKey: origin.key, source: origin.source, rule: refusal.rule });
  if (refusal.notify) {
    const email = composeRefusalEmail({
      reason: refusal.reason,
      ...(refusal.notify.fileName && { fileName: refusal.notify.fileName }),
      programContact: deps.programContact,
    });
    await deps.mailer.send({ to: [refusal.notify.to], replyTo: [deps.programContact], ...email });
  }
  await deps.events.publish([receivedEvent(deps, origin, 'refused', undefined, refusal.rule)]);
  return { outcome: 'refused', refusal: refusal.rule };
}

/** `Report Received` for a file, once per file and outcome (its id is the file's key). */
export function receivedEvent(
  deps: RefusalDeps,
  origin: FileOrigin,
  outcome: 'ingested' | 'refused' | 'duplicate',
  report?: Report,
  refusal?: string,
): OutgoingEvent {
  return buildEvent(
    ReportReceived,
    {
      ...(report && { reportId: report.reportId, organizationId: report.organizationId }),
      source: origin.source,
      fileKey: origin.key,
      outcome,
      ...(refusal && { refusal }),
    },
    `received:${origin.key}${origin.version ? `#${origin.version}` : ''}:${outcome}`,
    deps.clock(),
  );
}
