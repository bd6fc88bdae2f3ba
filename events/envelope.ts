import { z } from 'zod';

/** Every event this system publishes comes from this one source. */
export const EVENT_SOURCE = 'mnsure.pal.referrals';

/** The detail of every event: versioned metadata beside the payload, so consumers can evolve. */
export function detailSchema<T extends z.ZodType>(data: T, version: number) {
  return z.strictObject({
    metadata: z.strictObject({
      version: z.literal(version),
      occurredAt: z.iso.datetime({ offset: true }),
      /** Stable per logical event: a re-publish of the same fact carries the same id. */
      eventId: z.string().min(1),
    }),
    data,
  });
}

/** The EventBridge envelope as a Lambda target receives it (the fields this system relies on). */
export function envelopeSchema<D extends z.ZodType, T extends string>(detailType: T, detail: D) {
  return z.object({
    source: z.literal(EVENT_SOURCE),
    'detail-type': z.literal(detailType),
    detail,
  });
}

export interface EventDefinition<T extends string, D extends z.ZodType> {
  readonly detailType: T;
  readonly version: number;
  readonly detailSchema: D;
  readonly envelopeSchema: ReturnType<typeof envelopeSchema<D, T>>;
}

export function defineEvent<T extends string, P extends z.ZodType>(
  detailType: T,
  version: number,
  data: P,
): EventDefinition<T, ReturnType<typeof detailSchema<P>>> {
  const detail = detailSchema(data, version);
  return { detailType, version, detailSchema: detail, envelopeSchema: envelopeSchema(detailType, detail) };
}

/**
 * Builds an event for the publisher, validated against its catalog schema, so nothing off-catalog
 * ever reaches the bus. `eventId` must be stable for the fact (a re-publish repeats it).
 */
export function buildEvent<T extends string, D extends z.ZodType>(
  definition: EventDefinition<T, D>,
  data: z.input<D> extends { data: infer P } ? P : never,
  eventId: string,
  occurredAt: Date,
): { detailType: T; detail: z.output<D> } {
  const detail = definition.detailSchema.parse({
    metadata: { version: definition.version, occurredAt: occurredAt.toISOString(), eventId },
    data,
  });
  return { detailType: definition.detailType, detail };
}
