import type { EventBridgeEvent } from 'aws-lambda';
import { ReferralCreated } from '../../events/referral-events';
import { atColdStart } from '../../shared/wiring/cold-start';
import { routeReferralWiring } from '../../shared/wiring/routing';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import type { RouteReferralDeps, RouteReferralResult } from '../../shared/use-cases/route-referral';
import { routeReferral } from '../../shared/use-cases/route-referral';

/**
 * On `Referral Created`: route and email the lead. Any throw makes EventBridge retry the event
 * (and dead-letter it after its retry policy), which is what every failure here wants.
 */
export function createRouteReferralHandler(deps: RouteReferralDeps) {
  return async function handle(event: EventBridgeEvent<string, unknown>): Promise<RouteReferralResult> {
    const parsed = ReferralCreated.envelopeSchema.safeParse(event);
    if (!parsed.success) {
      deps.log.error('Not a Referral Created event', { detailType: event['detail-type'], eventId: event.id });
      throw new Error('route-referral received an event that is not a valid Referral Created');
    }
    const { referralId } = parsed.data.detail.data;
    try {
      return await routeReferral(deps, referralId);
    } catch (error) {
      deps.log.warn('Routing attempt failed; EventBridge will retry', {
        referralId,
        errorName: error instanceof Error ? error.name : 'unknown',
      });
      throw error;
    }
  };
}

const ready = atColdStart(async () => createRouteReferralHandler(await depsFromEnvironment(routeReferralWiring)));

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<RouteReferralResult> =>
  (await ready())(event);
