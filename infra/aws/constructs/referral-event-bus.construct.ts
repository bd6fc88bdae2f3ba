import { Duration, aws_events as events, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../../events/catalog';
import { eventsPublishedBy } from '../../functions';
import type { PalFunction } from './pal-function.construct';

export interface ReferralEventBusProps {
  readonly environment: string;
  /** Days the archive keeps the bus's events for replay. */
  readonly archiveRetentionDays: number;
}

/**
 * The custom event bus of the PAL events (source mnsure.pal.referrals), with an archive of every
 * event of that source so a consumer's outage can be replayed. Events carry ids and program facts,
 * never a consumer's name, phone or email.
 */
export class ReferralEventBus extends Construct {
  public readonly bus: events.EventBus;
  public readonly archive: events.Archive;

  constructor(scope: Construct, id: string, props: ReferralEventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: `pal-${props.environment}-referrals`,
      description: 'PAL referral and report events',
    });
    this.archive = this.bus.archive('Archive', {
      archiveName: `pal-${props.environment}-referrals`,
      description: 'Every PAL event, for replay after an outage of a consumer',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(props.archiveRetentionDays),
    });
  }

  /**
   * Passes the bus name to a function and lets it publish, on this bus, only the events the
   * catalog says it produces (source and detail-type are conditions of the grant).
   */
  public allowPublishing(fn: PalFunction): void {
    fn.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
    const detailTypes = eventsPublishedBy(fn.name);
    if (detailTypes.length === 0) return;
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        // IAM types events:source and events:detail-type as multivalued (ArrayOfString, Service
        // Authorization Reference), and a single-valued operator never matches such a key, so
        // StringEquals here would refuse every entry. ForAllValues takes a missing key as a match:
        // Null requires both (EventBridge's own example, eb-event-bus-example-policy-cross-account-custom-bus-source).
        conditions: {
          'ForAllValues:StringEquals': { 'events:source': [EVENT_SOURCE], 'events:detail-type': detailTypes },
          Null: { 'events:source': 'false', 'events:detail-type': 'false' },
        },
      }),
    );
  }
}
