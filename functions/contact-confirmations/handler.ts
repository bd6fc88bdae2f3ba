import { atColdStart } from '../../shared/wiring/cold-start';
import { contactConfirmationsWiring } from '../../shared/wiring/contact-confirmations';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import { JobInputSchema } from '../../shared/api/jobs';
import { minnesotaDateOf } from '../../shared/domain/minnesota-time';
import type {
  ContactConfirmationsDeps,
  ContactConfirmationsResult,
} from '../../shared/use-cases/contact-confirmations';
import { resumeDueOrganizations } from '../../shared/use-cases/admin/directory-admin';
import { checkContactConfirmations } from '../../shared/use-cases/contact-confirmations';

/**
 * The daily directory upkeep (EventBridge Scheduler, 06:30 America/Chicago): organizations whose
 * suspension ends today resume (before anything else, so they are asked and routed like the others);
 * then contacts due are asked to confirm, and the overdue ones flagged.
 */
export function createContactConfirmationsHandler(deps: ContactConfirmationsDeps) {
  return async function handle(input: unknown): Promise<ContactConfirmationsResult & { resumed: string[] }> {
    const { date } = JobInputSchema.parse(input ?? {});
    const today = date ?? minnesotaDateOf(deps.clock());
    const resumed = await resumeDueOrganizations(deps, today);
    return { ...(await checkContactConfirmations(deps, today)), resumed };
  };
}

const ready = atColdStart(async () =>
  createContactConfirmationsHandler(await depsFromEnvironment(contactConfirmationsWiring)),
);

export const handler = async (input: unknown): Promise<ContactConfirmationsResult & { resumed: string[] }> =>
  (await ready())(input);
