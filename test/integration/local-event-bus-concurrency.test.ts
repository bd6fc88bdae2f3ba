import type { EventBridgeEvent } from 'aws-lambda';
import { LocalEventBus } from '../../infra/local/local-event-bus';

/**
 * The local bus runs a few deliveries of a rule at a time and holds the rest in arrival order: a burst on the local
 * stack then finishes its first referrals first, instead of every delivery sharing the one CPU until all are done.
 * The bus is used directly (no stand-ins needed); targets are promises the test settles, so nothing depends on timing.
 */
describe('local event bus: deliveries per rule under a burst', () => {
  function busWith(limit: number) {
    const started: number[] = [];
    const release = new Map<number, () => void>();
    let running = 0;
    let mostAtOnce = 0;
    const bus = new LocalEventBus(
      [
        {
          name: 'slow',
          detailTypes: ['Referral Created'],
          target: (event: EventBridgeEvent<string, unknown>) => {
            const n = (event.detail as { n: number }).n;
            started.push(n);
            running++;
            mostAtOnce = Math.max(mostAtOnce, running);
            return new Promise<void>((resolve) =>
              release.set(n, () => {
                running--;
                resolve();
              }),
            );
          },
        },
      ],
      {
        region: 'us-east-2',
        retry: { maxAttempts: 1, maxEventAgeMs: 60_000, baseDelayMs: 10, maxDelayMs: 10 },
        maxConcurrentDeliveries: limit,
      },
    );
    return { bus, started, release, mostAtOnce: () => mostAtOnce };
  }

  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('runs at most the limit at once, starts the waiting ones in arrival order, and is idle only when all ran', async () => {
    const { bus, started, release, mostAtOnce } = busWith(2);
    for (let n = 0; n < 5; n++) bus.put('Referral Created', 'pal.referrals', { n });
    await settle();
    expect(started).toEqual([0, 1]);

    let idle = false;
    void bus.idle().then(() => (idle = true));
    release.get(1)!();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    for (const n of [0, 2, 3, 4]) {
      release.get(n)!();
      await settle();
    }
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(mostAtOnce()).toBe(2);
    expect(idle).toBe(true);
    await bus.close();
  });

  it('without a limit starts every delivery at once', async () => {
    const { bus, started, release } = busWith(Infinity);
    for (let n = 0; n < 5; n++) bus.put('Referral Created', 'pal.referrals', { n });
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    release.forEach((r) => r());
    await bus.close();
  });
});
