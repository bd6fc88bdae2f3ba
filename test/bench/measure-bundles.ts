/**
 * Each function's bundle as deployed (esbuild, the same run as `cdk synth`): its minified bytes, from
 * esbuild's metafile, and the time a fresh Node process takes to import it (the module's cold-start
 * cost; the handlers build their clients on first use, so this is loading and evaluating the code).
 * Bundles are written under dist/ so their external @aws-sdk imports resolve from node_modules.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE_FILE, bundleFunctions, FUNCTION_NAMES, REPO_ROOT } from '../../scripts/bundle-functions';

/** Imports per bundle, each in a new process; the median is reported. */
const RUNS = 5;

async function main(): Promise<void> {
  const outDir = join(REPO_ROOT, 'dist', 'bench-bundles');
  try {
    const bundles = await bundleFunctions({ outDir });
    const figures: Record<string, { bytes: number; importMs: number }> = {};
    for (const name of FUNCTION_NAMES) {
      const url = pathToFileURL(join(bundles[name].assetDir, BUNDLE_FILE)).href;
      const code = `const t = process.hrtime.bigint(); await import(${JSON.stringify(url)}); console.log(Number(process.hrtime.bigint() - t) / 1e6);`;
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        });
        times.push(Number(out.trim().split('\n').at(-1)));
      }
      times.sort((a, b) => a - b);
      figures[name] = { bytes: bundles[name].bytes, importMs: Math.round(times[Math.floor(RUNS / 2)]! * 10) / 10 };
    }
    console.log(JSON.stringify(figures));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
