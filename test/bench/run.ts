/**
 * `npm run bench`: figures, not pass/fail (these machines are shared and noisy). Each measurement
 * runs in its own process so its peak RSS is its own; the table is printed and the same figures
 * are written to test/bench/results.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

interface Figure {
  rows: number;
  seconds: number;
  peakRssMb: number;
}

interface IntakeFigure {
  referrals: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const script = join(__dirname, 'measure-report.ts');

function run(...args: string[]): string {
  return execFileSync(process.execPath, [tsx, script, ...args], { cwd: root, encoding: 'utf8' });
}

/** Runs another measuring script of this folder in its own process; its last line is its JSON figure. */
function measureWith<T>(file: string, ...args: string[]): T {
  const out = execFileSync(process.execPath, [tsx, join(__dirname, file), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

function measure(...args: string[]): Figure {
  return JSON.parse(
    run(...args)
      .trim()
      .split('\n')
      .at(-1)!,
  ) as Figure;
}

function main(): void {
  const scratch = mkdtempSync(join(tmpdir(), 'pal-bench-'));
  try {
    const results: Record<string, unknown> = {
      machine: { cpus: cpus().length, node: process.version, at: new Date().toISOString() },
      baselineRssMb: measure('baseline').peakRssMb,
    };
    for (const rows of [10_000, 50_000]) {
      const k = `${rows / 1000}k`;
      const built = measure('build', String(rows));
      results[`report${k}`] = { seconds: built.seconds, peakRssMb: built.peakRssMb };
      const sheet = join(scratch, `returned-${k}.xlsx`);
      run('sheet', String(rows), sheet);
      const ingested = measure('ingest', sheet);
      results[`ingest${k}`] = {
        seconds: ingested.seconds,
        peakRssMb: ingested.peakRssMb,
        fileBytes: readFileSync(sheet).length,
      };
    }
    // Intake → lead email on the local stack: 2,000 referrals, 20 concurrent clients (method in measure-intake.ts).
    const intake = measureWith<IntakeFigure>('measure-intake.ts', '2000', '20');
    results.intake = {
      referrals: intake.referrals,
      perSecond: intake.perSecond,
      p50Ms: intake.p50Ms,
      p99Ms: intake.p99Ms,
    };
    // The report send fanned out (500 organizations × 100 rows, one run of the job) beside its peer, the
    // same reports built in turn by one call as before the fan-out (method in measure-report-fanout.ts).
    type Fanout = { organizations: number; rows: number; seconds: number; peakRssMb: number };
    const fanout = measureWith<Fanout>('measure-report-fanout.ts', '500', '100', 'fanout');
    const oneCall = measureWith<Fanout>('measure-report-fanout.ts', '500', '100', 'one-invocation');
    results.reportSendFanout = {
      organizations: fanout.organizations,
      rows: fanout.rows,
      seconds: fanout.seconds,
      peakRssMb: fanout.peakRssMb,
      oneInvocation: { seconds: oneCall.seconds, peakRssMb: oneCall.peakRssMb },
    };
    // Routing's DynamoDB requests and capacity units with 1,000 and 50,000 leads in the window, and the
    // leads past weekly capacity after a 300-referral burst (method in measure-routing.ts).
    const routing = measureWith<{ routingCost: Record<string, unknown>; burst: { overCapacity: number } }>(
      'measure-routing.ts',
    );
    results.routingCost = routing.routingCost;
    results.burst = { overCapacity: routing.burst.overCapacity };
    // inspectXlsx refusing a 1 MB zip that inflates to 400 MB (median of 25; method in measure-zip-bomb.ts).
    const bomb = measureWith<{ ms: number; zipBytes: number }>('measure-zip-bomb.ts');
    results.zipBombMs = bomb.ms;
    // Returned sheets from anyone: the slowest hostile case's seconds per MB of file beside a normal sheet's
    // (method and cases in measure-hostile.ts and hostile-sheets.ts).
    const hostile = measureWith<{ normalSecondsPerMb: number; worstSecondsPerMb: number; worstCase: string }>(
      'measure-hostile.ts',
    );
    results.hostileSheets = {
      normalSecondsPerMb: hostile.normalSecondsPerMb,
      worstSecondsPerMb: hostile.worstSecondsPerMb,
      worstCase: hostile.worstCase,
    };
    // Each function's bundle as deployed: minified bytes (esbuild's metafile) and a cold import's time.
    const bundles = measureWith<Record<string, { bytes: number; importMs: number }>>('measure-bundles.ts');
    results.bundles = bundles;

    const file = join(__dirname, 'results.json');
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`PAL referrals benchmarks (${cpus().length} cores, Node ${process.version})\n`);
    console.log('what                          seconds   peak RSS MB');
    for (const [key, label] of [
      ['report10k', 'build a 10,000-row report'],
      ['report50k', 'build a 50,000-row report'],
      ['ingest10k', 'ingest a 10,000-row sheet'],
      ['ingest50k', 'ingest a 50,000-row sheet'],
    ] as const) {
      const f = results[key] as Figure;
      console.log(`${label.padEnd(30)}${f.seconds.toFixed(3).padStart(7)}   ${String(f.peakRssMb).padStart(11)}`);
    }
    console.log(`\n(peak RSS includes the ${String(results.baselineRssMb)} MB of a process with the modules loaded)`);
    console.log(
      `\nintake → lead email, local stack: ${intake.referrals} referrals, 20 clients: ` +
        `${intake.perSecond} a second, p50 ${intake.p50Ms} ms, p99 ${intake.p99Ms} ms`,
    );
    console.log(
      `report send, ${fanout.organizations} organizations × ${fanout.rows} rows: fanned out ` +
        `${(oneCall.seconds / fanout.seconds).toFixed(2)}× the one-call peer's speed ` +
        `(${fanout.seconds} s, ${fanout.peakRssMb} MB beside ${oneCall.seconds} s, ${oneCall.peakRssMb} MB)`,
    );
    console.log(
      `routing cost by leads in the window: ${JSON.stringify(routing.routingCost)}; burst over capacity: ${routing.burst.overCapacity}`,
    );
    console.log(
      `zip bomb refused by inspectXlsx (${(bomb.zipBytes / (1024 * 1024)).toFixed(1)} MB → 400 MB): ${bomb.ms} ms`,
    );
    console.log(
      `returned sheet, seconds per MB of file: normal ${hostile.normalSecondsPerMb}, ` +
        `worst hostile case ${hostile.worstSecondsPerMb} (${hostile.worstCase})`,
    );
    console.log('\nfunction bundle                  KB   cold import ms');
    for (const [name, b] of Object.entries(bundles)) {
      console.log(
        `${name.padEnd(26)}${(b.bytes / 1000).toFixed(1).padStart(9)}   ${b.importMs.toFixed(1).padStart(14)}`,
      );
    }
    console.log(`written to ${file}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main();
