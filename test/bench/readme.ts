/**
 * The README's benchmark and cost figures, written by `npm run bench` between marker comments, so the README
 * always quotes the last run's results.json: ratios first (ours / peer), absolute figures second.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { costPerReferral, total, type CostInputs, type PerReferralUse } from './cost';
import { PRICES, PRICES_AS_OF } from './prices';

type Figure = { seconds: number; peakRssMb: number };
type Load = { p50Ms: number; p99Ms: number; perSecond: number };
interface Results {
  machine: { cpus: number; node: string; at: string };
  peers: {
    reportWrite50k: Record<string, Figure>;
    ingest50k: Record<string, Figure>;
    intakeToEmail: { offeredPerSecond: number; ours: Load; floor: Load };
    intakeHighestRate: { ours: number; floor: number };
  };
  sheet50kBytes: number;
  intakeStagesMs: Record<string, { p50: number; p99: number }>;
  zipBomb: { ms: number; zipBytes: number };
  hostileSheets: { normalSecondsPerMb: number; worstSecondsPerMb: number; worstCase: string };
  bundles: Record<string, { bytes: number; importMs: number }>;
  functions: {
    perReferral: PerReferralUse & { dynamoRequests: number };
    functions: Record<string, { peakRssMb: number; invoked: boolean; memoryMb: number | null }>;
  };
  routingCost: Record<string, { requests: number; capacityUnits: number }>;
  burst: { overCapacity: number };
  reportSendFanout: Figure & { organizations: number; rows: number; oneInvocation: Figure };
  benchSeconds: number;
}

/** Organizations and windows a season's reports are counted for: the demo directory, the OE5 calendar. */
const ORGANIZATIONS = 17;
const WINDOWS_PER_SEASON = 5;
const SEASONS = [10_000, 1_000_000];

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (ours: number, peer: number) => (peer > 0 ? `${(ours / peer).toFixed(2)}×` : '—');
const usd = (value: number) =>
  value >= 1 ? `$${n(value, 2)}` : value >= 0.01 ? `$${value.toFixed(3)}` : `$${value.toPrecision(2)}`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function benchmarksSection(r: Results): string {
  const { reportWrite50k: w, ingest50k: g, intakeToEmail: i, intakeHighestRate: h } = r.peers;
  const peerRow = (what: string, ours: Figure, peer: Figure): string[] => [
    what,
    ratio(ours.seconds, peer.seconds),
    ratio(ours.peakRssMb, peer.peakRssMb),
    `${ours.seconds.toFixed(2)} s, ${ours.peakRssMb} MB`,
    `${peer.seconds.toFixed(2)} s, ${peer.peakRssMb} MB`,
  ];
  const peersTable = table(
    ['50,000 rows', 'time ours/peer', 'peak RSS ours/peer', 'ours', 'peer'],
    [
      peerRow('write the report vs exceljs in memory', w.ours!, w.exceljsInMemory!),
      peerRow('write the report vs SheetJS', w.ours!, w.sheetjs!),
      peerRow('read a returned sheet vs exceljs streaming', g.ours!, g.exceljsStream!),
      peerRow('read a returned sheet vs SheetJS', g.ours!, g.sheetjs!),
    ],
  );
  const intakeTable = table(
    ['intake → lead email, local stack', 'ours/floor', 'ours', 'floor'],
    [
      [
        `p50 at ${i.offeredPerSecond} referrals/s offered`,
        ratio(i.ours.p50Ms, i.floor.p50Ms),
        `${n(i.ours.p50Ms)} ms`,
        `${n(i.floor.p50Ms)} ms`,
      ],
      [
        `p99 at ${i.offeredPerSecond} referrals/s offered`,
        ratio(i.ours.p99Ms, i.floor.p99Ms),
        `${n(i.ours.p99Ms)} ms`,
        `${n(i.floor.p99Ms)} ms`,
      ],
      ['highest offered rate with p99 under 1 s', ratio(h.ours, h.floor), `${h.ours}/s`, `${h.floor}/s`],
    ],
  );
  const stages = Object.entries(r.intakeStagesMs)
    .map(([stage, s]) => `${stage} ${s.p50}/${s.p99}`)
    .join(', ');
  const bundles = table(
    ['function', 'KB', 'cold import ms'],
    Object.entries(r.bundles).map(([name, b]) => [name, n(b.bytes / 1000), n(b.importMs)]),
  );
  const [few, many] = [r.routingCost['1000']!, r.routingCost['50000']!];
  const routing = table(
    ['one routing, on dynalite', '50,000 / 1,000 leads in the window', '1,000 leads', '50,000 leads'],
    [
      ['DynamoDB requests', ratio(many.requests, few.requests), n(few.requests), n(many.requests)],
      [
        'consumed capacity units',
        ratio(many.capacityUnits, few.capacityUnits),
        n(few.capacityUnits),
        n(many.capacityUnits),
      ],
    ],
  );
  const f = r.reportSendFanout;
  return [
    `Last run: ${r.machine.at.slice(0, 10)}, ${r.machine.cpus} cores, Node ${r.machine.node}, ${n(r.benchSeconds / 60, 1)} minutes.`,
    '',
    peersTable,
    '',
    intakeTable,
    '',
    `Where a referral's time went at ${i.offeredPerSecond}/s (p50/p99 ms, from the timestamps the pipeline stores): ${stages}.`,
    '',
    routing,
    '',
    `After a burst of 300 referrals from 20 clients for the demo directory's weekly capacities, ${r.burst.overCapacity} ` +
      `leads are past an organization's capacity. Report send fanned out, ${n(f.organizations)} organizations × ` +
      `${n(f.rows)} rows on the local stack: ${ratio(f.seconds, f.oneInvocation.seconds)} the time and ` +
      `${ratio(f.peakRssMb, f.oneInvocation.peakRssMb)} the peak RSS of the same reports built in one invocation ` +
      `(${n(f.seconds, 1)} s, ${n(f.peakRssMb)} MB; locally one process runs every invocation, so this proves the ` +
      `fan-out completes with one email each, not its speed on AWS).`,
    '',
    `A 1 MB zip bomb (inflating to 400 MB) is refused in ${r.zipBomb.ms} ms, nothing inflated. Returned sheets: the ` +
      `worst generated hostile case reads at ${r.hostileSheets.worstSecondsPerMb} s/MB, ` +
      `${(r.hostileSheets.worstSecondsPerMb / r.hostileSheets.normalSecondsPerMb).toFixed(1)}× a normal sheet's ` +
      `${r.hostileSheets.normalSecondsPerMb} s/MB (${r.hostileSheets.worstCase}).`,
    '',
    bundles,
  ].join('\n');
}

export function costSection(r: Results): string {
  const fns = r.functions.functions;
  const mem = (name: string) => fns[name]?.memoryMb ?? 512;
  const inputs: CostInputs = {
    perReferral: r.functions.perReferral,
    memoryMb: {
      intake: mem('intake-api'),
      route: mem('route-referral'),
      reportSend: mem('report-send'),
      reportIngest: mem('report-ingest'),
    },
    reportSecondsPerRow: r.peers.reportWrite50k.ours!.seconds / 50_000,
    ingestSecondsPerRow: r.peers.ingest50k.ours!.seconds / 50_000,
    sheetBytesPerRow: r.sheet50kBytes / 50_000,
    organizations: ORGANIZATIONS,
    windowsPerSeason: WINDOWS_PER_SEASON,
  };
  const seasons = SEASONS.map((count) => ({ count, lines: costPerReferral(inputs, count) }));
  const costTable = table(
    [
      'per referral',
      ...seasons.map((s) => `season of ${n(s.count)}: per referral`),
      `season total (${seasons.map((s) => n(s.count)).join(' / ')})`,
    ],
    [
      ...seasons[0]!.lines.map((line, k) => [
        line.what,
        ...seasons.map((s) => usd(s.lines[k]!.perReferralUsd)),
        seasons.map((s) => usd(s.lines[k]!.perReferralUsd * s.count)).join(' / '),
      ]),
      [
        '**total**',
        ...seasons.map((s) => `**${usd(total(s.lines))}**`),
        `**${seasons.map((s) => usd(total(s.lines) * s.count)).join(' / ')}**`,
      ],
    ],
  );
  const heavyWork: Record<string, string> = {
    'report-send': `writing a 50,000-row report: ${r.peers.reportWrite50k.ours!.peakRssMb} MB`,
    'report-ingest': `reading a 50,000-row returned sheet: ${r.peers.ingest50k.ours!.peakRssMb} MB`,
  };
  const memoryTable = table(
    ['function', 'memory setting MB', 'measured peak RSS MB', 'setting ÷ peak', 'measured on'],
    Object.entries(fns).map(([name, f]) => {
      const peak = Math.max(f.peakRssMb, Number(/(\d+) MB$/.exec(heavyWork[name] ?? '')?.[1] ?? 0));
      return [
        name,
        String(f.memoryMb ?? '?'),
        String(peak),
        f.memoryMb ? `${(f.memoryMb / peak).toFixed(1)}×` : '?',
        f.invoked
          ? 'one real invocation on the local stack'
          : (heavyWork[name] ?? 'its bundle imported (no invocation)'),
      ];
    }),
  );
  const use = r.functions.perReferral;
  return [
    `Generated by \`npm run bench\` from this run's measurements, at list prices for us-east-1 as of ${PRICES_AS_OF}`,
    '(`test/bench/prices.ts`: Lambda Arm $' +
      `${PRICES.lambdaPerGbSecond} per GB-s and $0.20 per million requests, DynamoDB on-demand $0.625 per million ` +
      'write and $0.125 per million read units, EventBridge $1 per million events, SES $0.10 per 1,000 emails, ' +
      'S3 $0.005 per 1,000 PUTs, $0.0004 per 1,000 GETs and $0.023 per GB-month, API Gateway REST $3.50 per million).',
    `A referral measured ${use.dynamoRequests.toFixed(1)} DynamoDB requests (${use.writeUnits.toFixed(1)} write and ` +
      `${use.readUnits.toFixed(1)} read units as ReturnConsumedCapacity reports them on dynalite), ${use.events} events ` +
      `and ${use.emails} email; durations are dynalite's, which is slower than DynamoDB, so they err high. A season's ` +
      `reports are counted for ${ORGANIZATIONS} organizations over ${WINDOWS_PER_SEASON} windows. Fixed monthly costs ` +
      '(endpoints, WAF, alarms, keys) are in Cost drivers below; DynamoDB storage and report ingest writes are not counted.',
    '',
    costTable,
    '',
    "Each function's memory setting beside the peak RSS of a fresh process running its bundle (measure-functions.ts):",
    '',
    memoryTable,
  ].join('\n');
}

function replaceBetween(text: string, name: string, body: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} markers`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

/** Rewrites the README's generated sections, formatted as `npm run lint` checks it. */
export async function rewriteReadme(file: string, results: Record<string, unknown>): Promise<void> {
  const r = results as unknown as Results;
  let text = readFileSync(file, 'utf8');
  text = replaceBetween(text, 'figures', benchmarksSection(r));
  text = replaceBetween(text, 'cost', costSection(r));
  writeFileSync(file, await format(text, { ...(await resolveConfig(file)), filepath: file }));
}
