/**
 * Seconds per MB of file for each hostile case (hostile-sheets.ts) beside a normal filled sheet's:
 *   tsx test/bench/measure-hostile.ts [case-name-substring]
 * Each case is refused or read by inspectXlsx then readReturnedWorkbook, as ingest would (the best of 3 runs).
 * Prints one line per case, then one JSON line: { normal, worst, cases }.
 */
import { inspectXlsx } from '../../shared/reports/xlsx-safety';
import { readReturnedWorkbook } from '../../shared/reports/report-reader';
import { filledReturnedSheet } from './fixtures';
import { HOSTILE_CASES } from './hostile-sheets';

const MB = 1024 * 1024;

async function secondsToRead(file: Buffer, maxRows: number): Promise<{ seconds: number; outcome: string }> {
  let best = Infinity;
  let outcome = '';
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    const check = inspectXlsx(file);
    const result = check.ok ? await readReturnedWorkbook(file, { maxRows }) : undefined;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
    outcome = check.ok ? (result!.problems[0]?.rule ?? `read ${result!.rows.length} rows`) : check.rule;
  }
  return { seconds: best, outcome };
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const cases: Record<string, { fileBytes: number; seconds: number; secondsPerMb: number; outcome: string }> = {};
  const normalFile = await filledReturnedSheet(50_000);
  const normal = await secondsToRead(normalFile, 50_000);
  const normalPerMb = normal.seconds / (normalFile.length / MB);
  console.log(
    `normal 50,000-row sheet: ${normal.seconds.toFixed(3)} s, ${(normalFile.length / MB).toFixed(2)} MB, ${normalPerMb.toFixed(3)} s/MB`,
  );
  for (const hostile of HOSTILE_CASES) {
    if (only && !hostile.name.includes(only)) continue;
    const file = hostile.make(2 * hostile.n);
    const { seconds, outcome } = await secondsToRead(file, 10_000);
    const secondsPerMb = seconds / (file.length / MB);
    cases[hostile.name] = { fileBytes: file.length, seconds, secondsPerMb, outcome };
    console.log(
      `${hostile.name}: ${seconds.toFixed(3)} s, ${(file.length / 1024).toFixed(0)} KB, ${secondsPerMb.toFixed(3)} s/MB (${outcome})`,
    );
  }
  const worst = Object.entries(cases).sort((a, b) => b[1].secondsPerMb - a[1].secondsPerMb)[0];
  console.log(
    JSON.stringify({
      normalSecondsPerMb: Math.round(normalPerMb * 1000) / 1000,
      worstSecondsPerMb: worst ? Math.round(worst[1].secondsPerMb * 1000) / 1000 : 0,
      worstCase: worst?.[0],
      cases,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
