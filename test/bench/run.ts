/**
 * `npm run bench`: figures, not pass/fail (these machines are shared and noisy), each beside a peer or a floor
 * measured in the same run, so their ratio means something when the machine is busy. Each measurement runs in its
 * own process, so its peak RSS is its own. The figures go to test/bench/results.json and, through readme.ts, into
 * the README's benchmark and cost sections.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadFigure } from './open-loop';
import { rewriteReadme } from './readme';

export interface Figure {
  seconds: number;
  peakRssMb: number;
}

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** Runs a measuring script of this folder in its own process; its last line is its JSON figure. */
function measureWith<T>(file: string, ...args: string[]): T {
  const out = execFileSync(process.execPath, [tsx, join(__dirname, file), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Rounds of every implementation in turn (so a busy spell hits all of them), the median of each. */
function sideBySide(rounds: number, who: readonly string[], one: (name: string) => Figure): Record<string, Figure> {
  const seen: Record<string, Figure[]> = Object.fromEntries(who.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) for (const name of who) seen[name]!.push(one(name));
  return Object.fromEntries(
    who.map((name) => [
      name,
      {
        seconds: median(seen[name]!.map((f) => f.seconds)),
        peakRssMb: median(seen[name]!.map((f) => f.peakRssMb)),
      },
    ]),
  );
}

/** The highest offered rate of the ladder at which p99 stays under 1 s (0 if none), and the figure there. */
function highestRate(script: string, ladder: readonly number[]): { perSecond: number; at?: LoadFigure } {
  let best: { perSecond: number; at?: LoadFigure } = { perSecond: 0 };
  for (const rate of ladder) {
    const figure = measureWith<LoadFigure>(script, String(rate), String(Math.max(60, rate * 6)));
    if (figure.p99Ms >= 1000) break;
    best = { perSecond: rate, at: figure };
  }
  return best;
}

const PEER_ROUNDS = 3;
const ROWS = 50_000;
/** The offered rate of the intake figure: below both our and the floor's highest rates on this machine. */
const INTAKE_RATE = 10;
const OUR_LADDER = [4, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80];
const FLOOR_LADDER = [50, 75, 100, 150, 200, 250, 300, 400, 500];

async function main(): Promise<void> {
  const started = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), 'pal-bench-'));
  try {
    const results: Record<string, unknown> = {
      machine: { cpus: cpus().length, node: process.version, at: new Date().toISOString() },
    };
    const peers: Record<string, unknown> = {};
    results.peers = peers;

    // Our report writer and reader beside exceljs and SheetJS (method in measure-peers.ts).
    peers.reportWrite50k = sideBySide(PEER_ROUNDS, ['ours', 'exceljsInMemory', 'sheetjs'], (who) =>
      measureWith<Figure>('measure-peers.ts', 'write', who, String(ROWS)),
    );
    const sheet = join(scratch, 'returned-50k.xlsx');
    execFileSync(process.execPath, [tsx, join(__dirname, 'measure-report.ts'), 'sheet', String(ROWS), sheet], {
      cwd: root,
    });
    const sheetBytes = readFileSync(sheet).length;
    peers.ingest50k = sideBySide(PEER_ROUNDS, ['ours', 'exceljsStream', 'sheetjs'], (who) =>
      measureWith<Figure>('measure-peers.ts', 'read', who, sheet),
    );
    results.sheet50kBytes = sheetBytes;

    // Intake → lead email on the local stack beside the floor of the same stand-in calls, open loop (open-loop.ts,
    // measure-intake.ts, measure-intake-floor.ts): at one offered rate, then the highest rate with p99 under 1 s.
    const count = String(INTAKE_RATE * 20);
    const ours = measureWith<LoadFigure & { stageMs: unknown }>('measure-intake.ts', String(INTAKE_RATE), count);
    const floor = measureWith<LoadFigure>('measure-intake-floor.ts', String(INTAKE_RATE), count);
    const pick = (f: LoadFigure) => ({ p50Ms: f.p50Ms, p99Ms: f.p99Ms, perSecond: f.perSecond });
    peers.intakeToEmail = { offeredPerSecond: INTAKE_RATE, ours: pick(ours), floor: pick(floor) };
    results.intakeStagesMs = ours.stageMs;
    const oursMax = highestRate('measure-intake.ts', OUR_LADDER);
    const floorMax = highestRate('measure-intake-floor.ts', FLOOR_LADDER);
    peers.intakeHighestRate = { ours: oursMax.perSecond, floor: floorMax.perSecond };

    // Routing's DynamoDB requests and capacity units with 1,000 and 50,000 leads in the window, and the
    // leads past weekly capacity after a 300-referral burst (method in measure-routing.ts).
    const routing = measureWith<{ routingCost: Record<string, unknown>; burst: { overCapacity: number } }>(
      'measure-routing.ts',
    );
    results.routingCost = routing.routingCost;
    results.burst = { overCapacity: routing.burst.overCapacity };
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
    // inspectXlsx refusing a 1 MB zip that inflates to 400 MB (median of 25; method in measure-zip-bomb.ts).
    results.zipBomb = measureWith<{ ms: number; zipBytes: number }>('measure-zip-bomb.ts');
    // Returned sheets from anyone: the slowest hostile case's seconds per MB beside a normal sheet's (measure-hostile.ts).
    const hostile = measureWith<{ normalSecondsPerMb: number; worstSecondsPerMb: number; worstCase: string }>(
      'measure-hostile.ts',
    );
    results.hostileSheets = {
      normalSecondsPerMb: hostile.normalSecondsPerMb,
      worstSecondsPerMb: hostile.worstSecondsPerMb,
      worstCase: hostile.worstCase,
    };
    // Each function's bundle as deployed: minified bytes (esbuild's metafile) and a cold import's time.
    results.bundles = measureWith<Record<string, { bytes: number; importMs: number }>>('measure-bundles.ts');
    // What a referral uses (DynamoDB units, events, emails, durations) and each function's peak RSS beside its
    // memory setting, for the cost model (measure-functions.ts, cost.ts).
    results.functions = measureWith<Record<string, unknown>>('measure-functions.ts');

    results.benchSeconds = Math.round((Date.now() - started) / 1000);
    const file = join(__dirname, 'results.json');
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    await rewriteReadme(join(root, 'README.md'), results);
    console.log(JSON.stringify(results.peers, null, 2));
    console.log(`written to ${file} and README.md in ${String(results.benchSeconds)} s`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
