import { minnesotaDateOf } from '../../shared/domain/minnesota-time';

export interface DailyJob {
  readonly name: string;
  /** Minnesota wall-clock time, HH:MM (America/Chicago, so daylight saving never moves the day). */
  readonly at: string;
  readonly run: (date: string) => Promise<unknown>;
}

/**
 * EventBridge Scheduler's daily cron in America/Chicago, locally: each job runs once per Minnesota
 * date, at or after its time. A restart after the time runs it again for the day, which the jobs
 * shrug off (they record what they sent).
 */
export class DailyJobs {
  private timer?: NodeJS.Timeout;
  private readonly lastRun = new Map<string, string>();

  constructor(
    private readonly jobs: readonly DailyJob[],
    private readonly clock: () => Date = () => new Date(),
  ) {}

  start(everyMs = 30_000): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private tick(): void {
    const now = this.clock();
    const date = minnesotaDateOf(now);
    const time = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/Chicago',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(now);
    for (const job of this.jobs) {
      if (time >= job.at && this.lastRun.get(job.name) !== date) {
        this.lastRun.set(job.name, date);
        job.run(date).catch((error: unknown) =>
          console.warn(
            JSON.stringify({
              level: 'WARN',
              service: 'daily-jobs',
              message: 'Job failed',
              job: job.name,
              errorName: error instanceof Error ? error.name : 'unknown',
            }),
          ),
        );
      }
    }
  }
}
