import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { loadDeployConfig, REPO_ROOT } from '../../../infra/aws/config';
import { PalStack } from '../../../infra/aws/pal-stack';
import type { FunctionBundles } from '../../../scripts/bundle-functions';
import { bundleFunctions, loadBundles } from '../../../scripts/bundle-functions';

/** The context cdk.json gives `cdk synth`: the tests synthesize with the same. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

export interface PalSynth {
  readonly app: App;
  readonly stack: PalStack;
  readonly template: Template;
  /** The template's resources, by logical id. */
  readonly resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;
  /** The logical id of a construct's CloudFormation resource. */
  readonly idOf: (construct: IConstruct) => string;
}

/**
 * Builds the whole stack as `cdk synth` does (cdk.json context, the functions bundled exactly as
 * deployed), once per test file. Extra context overrides cdk.json's.
 */
export async function synthPal(context: Record<string, unknown> = {}): Promise<PalSynth> {
  const app = new App({
    context: { ...cdkJsonContext(), ...context, 'aws:cdk:disable-asset-staging': true },
    outdir: scratchDir(),
  });
  const config = loadDeployConfig(app.node);
  const bundles = await cachedBundles(config.calendarPath);
  const stack = new PalStack(app, 'PalReferrals-test', { config, bundles });
  // The cycle check costs seconds per file; cdk-nag.test.ts runs it once (and `cdk synth` validates too).
  const template = Template.fromStack(stack, { skipCyclicalDependenciesCheck: true });
  const resources = template.toJSON().Resources as PalSynth['resources'];
  const idOf = (construct: IConstruct) => {
    const element = (construct.node.defaultChild ?? construct) as CfnElement;
    return Stack.of(construct).getLogicalId(element);
  };
  return { app, stack, template, resources, idOf };
}

/** A cloud assembly directory for this test process, removed when it exits. */
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pal-infra-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const CACHE_ROOT = join(REPO_ROOT, 'node_modules', '.cache', 'pal-infra-bundles');
/** What the bundles are made of: if none of it changed, an earlier test run's bundles are these bundles. */
const BUNDLE_INPUTS = [
  'functions',
  'shared',
  'events',
  'config',
  'package-lock.json',
  'scripts/bundle-functions.ts',
  'infra/functions.ts',
];

/**
 * The functions bundled for a calendar, built once per change of their sources and shared by the
 * test files (each jest worker would otherwise run esbuild again). A finished build is renamed into
 * place in one step, and never deleted while in use.
 */
export async function cachedBundles(calendarFile: string): Promise<FunctionBundles> {
  const hash = createHash('sha256');
  for (const file of [...BUNDLE_INPUTS.flatMap((p) => filesUnder(join(REPO_ROOT, p))), calendarFile].sort()) {
    hash.update(relative(REPO_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  const dir = join(CACHE_ROOT, hash.digest('hex').slice(0, 20));
  if (existsSync(join(dir, 'intake-api.meta.json'))) return loadBundles(dir);

  mkdirSync(CACHE_ROOT, { recursive: true });
  const building = `${dir}.building-${process.pid}`;
  await bundleFunctions({ outDir: building, calendarFile });
  try {
    renameSync(building, dir);
  } catch {
    // Another worker finished first: use its identical build.
    rmSync(building, { recursive: true, force: true });
  }
  pruneOldBuilds(dir);
  return loadBundles(dir);
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(path, entry.name)) : entry.isFile() ? [join(path, entry.name)] : [],
  );
}

/** Builds for older sources, a day old or more, go. */
function pruneOldBuilds(keep: string): void {
  const dayAgo = Date.now() - 24 * 60 * 60 * 1000;
  for (const name of readdirSync(CACHE_ROOT)) {
    const path = join(CACHE_ROOT, name);
    if (path !== keep && statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
  }
}
