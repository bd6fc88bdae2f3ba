/**
 * Bundles every Lambda exactly as it is deployed, in one esbuild run, and writes each bundle's
 * metafile beside it. The CDK app deploys these directories (NodejsFunction with `code`), and
 * `scripts/check-bundles.ts` measures the same bytes, so the budget checks what ships.
 *
 *   npx tsx scripts/bundle-functions.ts [--out dist/functions] [--calendar config/reporting-calendar.json]
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Metafile, Plugin } from 'esbuild';
import { build } from 'esbuild';
import type { FunctionName } from '../infra/functions';
import { entryOf, FUNCTION_NAMES } from '../infra/functions';

export const REPO_ROOT = resolve(__dirname, '..');

/** The deployed functions: the manifest's (infra/functions.ts), each `functions/<name>/handler.ts` exporting `handler`. */
export { FUNCTION_NAMES } from '../infra/functions';
export type { FunctionName } from '../infra/functions';

/** The runtime the bundles target and the Lambdas run on (keep the two together). */
export const NODE_TARGET = 'node22';
/** The file each bundle is written to inside its asset directory; the Lambda handler is `index.handler`. */
export const BUNDLE_FILE = 'index.mjs';
export const HANDLER = 'index.handler';
/** The calendar the shared domain imports statically; the bundler may swap it for another file. */
export const DEFAULT_CALENDAR_FILE = join(REPO_ROOT, 'config', 'reporting-calendar.json');

/**
 * exceljs and mailparser are CommonJS that call `require` for Node built-ins; an ESM bundle has no
 * `require`, so one is made from `import.meta.url` (aws-cdk #29310), with __filename/__dirname.
 */
const ESM_REQUIRE_BANNER = [
  "import { createRequire as __palCreateRequire } from 'node:module';",
  "import { fileURLToPath as __palFileURLToPath } from 'node:url';",
  "import { dirname as __palDirname } from 'node:path';",
  'const require = __palCreateRequire(import.meta.url);',
  'const __filename = __palFileURLToPath(import.meta.url);',
  'const __dirname = __palDirname(__filename);',
].join(' ');

/**
 * The AWS SDK v3 is left to the Lambda runtime (nodejs22.x ships it), as NodejsFunction does by
 * default: bundled, the clients and their Smithy core cost each function 200-450 KB and put the
 * intake and routing bundles over their 400 KB budget. The runtime (and its SDK) changes only when
 * the functions are deployed (runtime management FUNCTION_UPDATE, set in the CDK app), so a new SDK
 * arrives through a deploy that staging has seen, never under a running function.
 */
export const EXTERNAL_PACKAGES = ['@aws-sdk/*'] as const;

export interface BundleOptions {
  /** Where the asset directories are written (one per function) and, beside them, the metafiles. */
  readonly outDir: string;
  /** The reporting calendar compiled into the functions. @default config/reporting-calendar.json */
  readonly calendarFile?: string;
}

export interface FunctionBundle {
  readonly name: FunctionName;
  /** The asset directory: index.mjs, its source map and its legal comments. */
  readonly assetDir: string;
  readonly metafilePath: string;
  /** Minified bytes of index.mjs (what the budget counts; source maps excluded). */
  readonly bytes: number;
  /** Packages (node_modules names) in the bundle, with their bytes in it. */
  readonly packages: Readonly<Record<string, number>>;
}

export type FunctionBundles = Readonly<Record<FunctionName, FunctionBundle>>;

/** Bundles all functions in one esbuild run (shared parsing) and returns where each landed. */
export async function bundleFunctions(options: BundleOptions): Promise<FunctionBundles> {
  const outDir = resolve(options.outDir);
  const calendarFile = resolve(options.calendarFile ?? DEFAULT_CALENDAR_FILE);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: Object.fromEntries(FUNCTION_NAMES.map((n) => [`${n}/index`, entryOf(n)])),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: NODE_TARGET,
    format: 'esm',
    // Prefer the SDK's and Powertools' ES modules: they tree-shake to the clients each function uses.
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    banner: { js: ESM_REQUIRE_BANNER },
    external: [...EXTERNAL_PACKAGES],
    metafile: true,
    logLevel: 'warning',
    plugins: [calendarPlugin(calendarFile), zodNamespacePlugin(), pureImportsPlugin(PURE_PACKAGES)],
  });

  // One metafile per function (its output and the inputs in it), beside its asset directory.
  for (const name of FUNCTION_NAMES) {
    const outputKey = relative(REPO_ROOT, join(outDir, name, BUNDLE_FILE))
      .split('\\')
      .join('/');
    const output = result.metafile.outputs[outputKey];
    if (!output) throw new Error(`esbuild wrote no ${outputKey}`);
    const metafile: Metafile = {
      inputs: Object.fromEntries(Object.keys(output.inputs).map((k) => [k, result.metafile.inputs[k]!])),
      outputs: { [outputKey]: output },
    };
    writeFileSync(join(outDir, `${name}.meta.json`), JSON.stringify(metafile));
  }
  return loadBundles(outDir);
}

/** Bytes each npm package contributes to a bundle, from its metafile. */
export function packagesOf(metafile: Metafile): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
      const name = match?.[1] ?? '(project)';
      sizes[name] = (sizes[name] ?? 0) + input.bytesInOutput;
    }
  }
  return sizes;
}

/** Replaces the statically imported reporting calendar with the configured file (the calendar is configuration). */
function calendarPlugin(calendarFile: string): Plugin {
  return {
    name: 'reporting-calendar',
    setup(b) {
      b.onResolve({ filter: /[\\/]config[\\/]reporting-calendar\.json$/ }, () => ({ path: calendarFile }));
    },
  };
}

/**
 * `import { z } from 'zod'` binds zod's namespace object as a value, so esbuild keeps every export
 * of it, the 40-odd locales included (~260 KiB minified); `import * as z from 'zod'` lets it keep only
 * what is used. Same members either way, so project sources are read with the second form.
 */
function zodNamespacePlugin(): Plugin {
  const named = /^import\s*\{\s*z\s*\}\s*from\s*'zod';?$/m;
  return {
    name: 'zod-namespace-import',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes('node_modules')) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!named.test(source)) return undefined;
        return { contents: source.replace(named, "import * as z from 'zod';"), loader: 'ts' };
      });
    },
  };
}

/**
 * CommonJS packages whose import has no side effect the functions rely on. esbuild keeps an unused
 * CommonJS import (it cannot prove it pure), so a function that imports a module which imports
 * exceljs (report-due takes JobInputSchema from report-send's handler) would carry exceljs unused.
 */
export const PURE_PACKAGES = ['exceljs', 'mailparser'] as const;

function pureImportsPlugin(packages: readonly string[]): Plugin {
  const filter = new RegExp(`^(${packages.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
  const again = Symbol('resolving');
  return {
    name: 'pure-imports',
    setup(b) {
      b.onResolve({ filter }, async (args) => {
        if (args.pluginData === again) return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: again,
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { path: resolved.path, namespace: resolved.namespace, sideEffects: false };
      });
    },
  };
}

/** Reads a bundle's metafile back (for checks that run after the build). */
export function readMetafile(bundle: FunctionBundle): Metafile {
  return JSON.parse(readFileSync(bundle.metafilePath, 'utf8')) as Metafile;
}

/** The bundles an earlier run wrote to outDir, described from their metafiles. */
export function loadBundles(outDir: string): FunctionBundles {
  const bundles = {} as Record<FunctionName, FunctionBundle>;
  for (const name of FUNCTION_NAMES) {
    const metafilePath = join(resolve(outDir), `${name}.meta.json`);
    const metafile = JSON.parse(readFileSync(metafilePath, 'utf8')) as Metafile;
    const output = Object.values(metafile.outputs)[0]!;
    bundles[name] = {
      name,
      assetDir: join(resolve(outDir), name),
      metafilePath,
      bytes: output.bytes,
      packages: packagesOf(metafile),
    };
  }
  return bundles;
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: 'dist/functions' }, calendar: { type: 'string' } },
  });
  bundleFunctions({ outDir: values.out!, ...(values.calendar && { calendarFile: values.calendar }) }).then(
    (bundles) => {
      for (const b of Object.values(bundles)) console.log(`${b.name.padEnd(22)} ${(b.bytes / 1000).toFixed(1)} KB`);
      console.log(`written to ${dirname(Object.values(bundles)[0]!.assetDir)}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
