/** A domain event ready for the bus: its catalog detail-type and a detail valid against its schema. */
export interface OutgoingEvent {
  readonly detailType: string;
  readonly detail: {
    readonly metadata: { version: number; occurredAt: string; eventId: string };
    readonly data: object;
  };
}

export interface EventPublisher {
  /** Publishes all events or throws: a partial failure is a failure. */
  publish(events: readonly OutgoingEvent[]): Promise<void>;
}
