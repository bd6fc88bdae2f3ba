import { atColdStart } from '../../shared/wiring/cold-start';
import type { RepublishDeps } from '../../shared/wiring/intake';
import { republishWiring } from '../../shared/wiring/intake';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import type { RepublishResult } from '../../shared/use-cases/republish-referrals';
import { republishReferrals } from '../../shared/use-cases/republish-referrals';

/** The sweeper, on a schedule: a run that could not publish everything fails, so its error alarm fires. */
export function createRepublishHandler(deps: RepublishDeps) {
  return async function handle(): Promise<RepublishResult> {
    const result = await republishReferrals(deps, deps.options);
    if (result.published < result.found) {
      throw new Error(`${result.found - result.published} of ${result.found} referrals are still unpublished`);
    }
    return result;
  };
}

const ready = atColdStart(async () => createRepublishHandler(await depsFromEnvironment(republishWiring)));

export const handler = async (): Promise<RepublishResult> => (await ready())();
