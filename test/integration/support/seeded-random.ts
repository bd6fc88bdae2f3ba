/**
 * A small seeded PRNG (mulberry32), so a randomised test can be run again exactly: the seed is taken
 * from PAL_TEST_SEED when set, otherwise made up and printed.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
}

/** The seed of this run: PAL_TEST_SEED, or a fresh one; printed either way, with how to repeat the run. */
export function testSeed(label: string): number {
  const fromEnv = process.env.PAL_TEST_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`PAL_TEST_SEED must be an integer, not ${fromEnv}`);
  console.log(`${label}: seed ${seed} (repeat with PAL_TEST_SEED=${seed})`);
  return seed;
}
