/**
 * Bundles every function exactly as deployed (scripts/bundle-functions.ts), reads each esbuild
 * metafile and checks it against its budget: minified bytes of index.mjs, and packages that must
 * not be in it. Prints a table; exits 1 when a budget is exceeded.
 *
 *   npx tsx scripts/check-bundles.ts [--calendar config/reporting-calendar.json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FunctionBundle, FunctionBundles, FunctionName } from './bundle-functions';
import { bundleFunctions, FUNCTION_NAMES } from './bundle-functions';
import type { BundleBudget } from '../infra/functions';
import { bundleBudgetOf } from '../infra/functions';

const KB = 1000;

export type Budget = BundleBudget;

/** Each function's budget, from its manifest entry (infra/functions.ts). */
export const BUDGETS: Record<FunctionName, Budget> = Object.fromEntries(
  FUNCTION_NAMES.map((name) => [name, bundleBudgetOf(name)]),
) as Record<FunctionName, Budget>;

/**
 * Bundles known to be over budget until a change outside infra lands. This script still fails on
 * them; the CI test (test/infra/bundle-budgets.test.ts) holds them to their ceiling instead, so they
 * cannot grow, and fails once they fit their budget again (then delete the entry).
 */
export const KNOWN_OVER_BUDGET: Partial<Record<FunctionName, { readonly ceiling: number; readonly until: string }>> =
  {};

export interface BudgetCheck {
  readonly name: FunctionName;
  readonly bytes: number;
  readonly maxBytes: number;
  readonly forbiddenFound: readonly string[];
  /** Fits the budget and carries no forbidden package. */
  readonly ok: boolean;
  readonly known?: { readonly ceiling: number; readonly until: string };
}

export function checkBudget(bundle: FunctionBundle): BudgetCheck {
  const budget = BUDGETS[bundle.name];
  const forbiddenFound = budget.forbidden.filter((p) => (bundle.packages[p] ?? 0) > 0);
  const known = KNOWN_OVER_BUDGET[bundle.name];
  return {
    name: bundle.name,
    bytes: bundle.bytes,
    maxBytes: budget.maxBytes,
    forbiddenFound,
    ok: bundle.bytes <= budget.maxBytes && forbiddenFound.length === 0,
    ...(known && { known }),
  };
}

/** One line per function: size, budget, verdict, and the largest packages in it. */
export function report(bundles: FunctionBundles): { lines: string[]; overBudget: FunctionName[] } {
  const overBudget: FunctionName[] = [];
  const lines = FUNCTION_NAMES.map((name) => {
    const bundle = bundles[name];
    const check = checkBudget(bundle);
    if (!check.ok) overBudget.push(name);
    const verdict = check.ok
      ? `ok${check.known ? ' (no longer over: remove it from KNOWN_OVER_BUDGET)' : ''}`
      : `OVER BUDGET${check.forbiddenFound.length > 0 ? `, contains ${check.forbiddenFound.join(', ')}` : ''}` +
        (check.known ? ` (known, until ${check.known.until})` : '');
    const top = Object.entries(bundle.packages)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`)
      .join(', ');
    return `${name.padEnd(22)} ${kb(check.bytes).padStart(10)} / ${kb(check.maxBytes).padStart(9)}  ${verdict}\n${''.padEnd(24)}largest: ${top}`;
  });
  return { lines, overBudget };
}

function kb(bytes: number): string {
  return `${(bytes / KB).toFixed(1)} KB`;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { calendar: { type: 'string' } } });
  const outDir = mkdtempSync(join(tmpdir(), 'pal-bundles-'));
  bundleFunctions({ outDir, ...(values.calendar && { calendarFile: values.calendar }) })
    .then((bundles) => {
      const { lines, overBudget } = report(bundles);
      console.log(`Bundle budgets (minified index.mjs, 1 KB = 1000 bytes; AWS SDK v3 from the runtime):\n`);
      console.log(lines.join('\n'));
      rmSync(outDir, { recursive: true, force: true });
      if (overBudget.length > 0) console.error(`\nOver budget: ${overBudget.join(', ')}`);
      process.exit(overBudget.length > 0 ? 1 : 0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
