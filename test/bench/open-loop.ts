/**
 * An open-loop load: referral i is offered at start + i / rate, whether or not earlier ones are done, as a CRM's
 * burst arrives. A latency runs from the moment a referral was due to be offered, so a generator that falls behind
 * cannot hide a queue (its lag counts against the system, the same for ours and the floor).
 */
export interface LoadFigure {
  offeredPerSecond: number;
  referrals: number;
  /** Referrals done ÷ (last done − first offered). */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  peakRssMb: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Offers `count` referrals at `rate` a second; `offer(i)` resolves once referral i is done, and `doneAt(i)`, asked
 * when all are, gives the epoch ms it was done at (its lead email marked sent, or the floor's SES send answered).
 */
export async function offerAtRate(
  rate: number,
  count: number,
  offer: (i: number) => Promise<void>,
  doneAt: (i: number) => Promise<number>,
): Promise<LoadFigure> {
  const start = Date.now() + 50;
  const due = (i: number) => start + (i * 1000) / rate;
  const done: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = due(i) - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    done.push(offer(i));
  }
  await Promise.all(done);
  const ends: number[] = [];
  for (let i = 0; i < count; i++) ends.push(await doneAt(i));
  const latencies = ends.map((end, i) => end - due(i)).sort((a, b) => a - b);
  const seconds = (Math.max(...ends) - start) / 1000;
  return {
    offeredPerSecond: rate,
    referrals: count,
    perSecond: Math.round((count / seconds) * 10) / 10,
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    maxMs: Math.round(latencies.at(-1)!),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
