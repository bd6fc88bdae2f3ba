import { App } from 'aws-cdk-lib';
import { loadDeployConfig } from '../../infra/aws/config';
import { BUDGETS, checkBudget, KNOWN_OVER_BUDGET, report } from '../../scripts/check-bundles';
import type { FunctionBundles } from '../../scripts/bundle-functions';
import { BUNDLE_FILE, FUNCTION_NAMES, readMetafile } from '../../scripts/bundle-functions';
import { cachedBundles, cdkJsonContext } from './support/pal-app';

let bundles: FunctionBundles;
beforeAll(async () => {
  // Bundled as `cdk synth` bundles them: the same esbuild run, with cdk.json's calendar.
  const config = loadDeployConfig(new App({ context: cdkJsonContext() }).node);
  bundles = await cachedBundles(config.calendarPath);
  console.log(`Bundle sizes:\n${report(bundles).lines.join('\n')}`);
});

const enforced = FUNCTION_NAMES.filter((n) => KNOWN_OVER_BUDGET[n] === undefined);

describe('bundle budgets (esbuild metafiles of the deployed bundles)', () => {
  test.each(enforced)('%s is within its budget and carries none of its forbidden packages', (name) => {
    const check = checkBudget(bundles[name]);
    expect({ name, bytes: check.bytes, forbidden: check.forbiddenFound }).toEqual({
      name,
      bytes: expect.any(Number),
      forbidden: [],
    });
    expect(check.bytes).toBeLessThanOrEqual(BUDGETS[name].maxBytes);
  });

  test('intake and routing carry neither exceljs nor mailparser', () => {
    for (const name of ['intake-api', 'route-referral'] as const) {
      const inputs = Object.keys(readMetafile(bundles[name]).inputs);
      expect([name, inputs.filter((p) => /node_modules\/(exceljs|mailparser)\//.test(p))]).toEqual([name, []]);
    }
  });

  test('no bundle carries SheetJS (xlsx): a test-only second reader, with published advisories', () => {
    const fromPackage = (name: (typeof FUNCTION_NAMES)[number], pkg: string) =>
      Object.keys(readMetafile(bundles[name]).inputs).filter((p) => p.includes(`node_modules/${pkg}/`));
    // The match finds a package that is bundled: report-build carries exceljs.
    expect(fromPackage('report-build', 'exceljs').length).toBeGreaterThan(0);
    for (const name of FUNCTION_NAMES) expect([name, fromPackage(name, 'xlsx')]).toEqual([name, []]);
  });

  test('each bundle is the one file the handler points at, with the AWS SDK left to the runtime', () => {
    for (const name of FUNCTION_NAMES) {
      const metafile = readMetafile(bundles[name]);
      const [output] = Object.keys(metafile.outputs);
      expect(output!.endsWith(`${name}/${BUNDLE_FILE}`)).toBe(true);
      expect(Object.keys(metafile.inputs).filter((p) => p.includes('node_modules/@aws-sdk/'))).toEqual([]);
    }
  });
});
