import type { ReportSendPlan } from '../../shared/use-cases/plan-report-sends';
import type { ReportSendOutcome } from '../../shared/use-cases/send-reports';
import type { LocalEventBus, LocalRule } from './local-event-bus';
import type { LocalHandlers } from './local-functions';

/** A run of the report-send job on the local stack: its plan, and what each unit's delivery did. */
export interface ReportSendRun extends ReportSendPlan {
  readonly built: readonly ReportSendOutcome[];
}

/**
 * The report send as tests and the CLI see it on the local stack: report-send plans, the bus
 * delivers each `Report Build Requested` to report-build (its manifest rule), and `run` answers once
 * the bus has delivered every unit (and its retries), with what each delivery did. `buildTarget` is
 * report-build's rule target, recording those outcomes.
 */
export function reportSendRuns(handlers: Pick<LocalHandlers, 'report-send' | 'report-build'>, bus: LocalEventBus) {
  const builds: ReportSendOutcome[] = [];
  const buildTarget: LocalRule['target'] = async (event) => {
    builds.push(await handlers['report-build'](event));
  };
  const run = async (date?: string): Promise<ReportSendRun> => {
    const from = builds.length;
    const plan = await handlers['report-send'](date ? { date } : {});
    await bus.idle();
    return { ...plan, built: builds.slice(from) };
  };
  return { buildTarget, run };
}
