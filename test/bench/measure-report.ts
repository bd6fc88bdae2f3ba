/**
 * Makes the filled returned sheet the ingest peers read (measure-peers.ts), in its own process:
 *   tsx test/bench/measure-report.ts sheet 50000 FILE
 * Not measured itself: the writer and reader are measured beside their peers in measure-peers.ts.
 */
import { writeFileSync } from 'node:fs';
import { filledReturnedSheet } from './fixtures';

async function main(): Promise<void> {
  const [what, rows, file] = process.argv.slice(2);
  if (what !== 'sheet' || !file) throw new Error('usage: measure-report.ts sheet ROWS FILE');
  writeFileSync(file, await filledReturnedSheet(Number(rows)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
