import { readReturnedWorkbook } from '../../shared/reports/report-reader';
import { inspectXlsx } from '../../shared/reports/xlsx-safety';
import { HOSTILE_CASES } from '../bench/hostile-sheets';
import { cpuSeconds } from '../support/cpu-time';

/*
 * The property of issue 10: a returned file from anyone costs time linear in its size. Each generated hostile case
 * is read at two sizes in this one run; doubling the input may at most about double the time. Only the ratio is
 * asserted (the best of five runs each, in CPU time, against the noise of a shared machine), never an absolute time.
 */

const REPEATS = 5;

async function secondsToRead(file: Buffer): Promise<number> {
  return cpuSeconds(async () => {
    if (inspectXlsx(file).ok) await readReturnedWorkbook(file);
  });
}

/** time(large) / time(small), each the best of REPEATS runs, taken in turns so both sizes see the same load. */
async function timeRatio(small: Buffer, large: Buffer): Promise<number> {
  await secondsToRead(small); // warm-up: the first read also loads and compiles the parsers
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    bestSmall = Math.min(bestSmall, await secondsToRead(small));
    bestLarge = Math.min(bestLarge, await secondsToRead(large));
  }
  return bestLarge / bestSmall;
}

describe('a hostile returned sheet costs time linear in its size', () => {
  it.each(HOSTILE_CASES.map((hostile) => [hostile.name, hostile] as const))(
    '%s: twice the input takes less than three times as long',
    async (_name, hostile) => {
      const small = hostile.make(hostile.n);
      const large = hostile.make(2 * hostile.n);
      const ratio = await timeRatio(small, large);
      expect({ case: hostile.name, ratio: Math.round(ratio * 100) / 100, underThree: ratio < 3 }).toEqual(
        expect.objectContaining({ underThree: true }),
      );
    },
  );
});
