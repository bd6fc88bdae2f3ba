import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { REPO_ROOT } from '../../infra/aws/config';

/**
 * `npx cdk synth` as a developer or CI runs it: through cdk.json, offline, with no AWS credentials
 * or profile in the environment. The cdk-nag packs run in it; an unacknowledged error fails it.
 */
describe('cdk synth (the CLI)', () => {
  test('synthesizes offline without credentials and passes the cdk-nag packs', () => {
    const out = mkdtempSync(join(tmpdir(), 'pal-cdk-out-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    const result = spawnSync('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', out], {
      cwd: REPO_ROOT,
      // No credentials anywhere: no AWS_* variables, no shared config or credentials file, no instance metadata.
      env: {
        ...env,
        // The CLI and the app (`npx tsx`, cdk.json) on the Node running the tests, as `npm test` has it.
        PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(out, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(out, 'no-credentials'),
      },
      encoding: 'utf8',
      timeout: 110_000,
    });
    try {
      expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
        status: 0,
        stderr: '',
      });
      const template = JSON.parse(readFileSync(join(out, 'PalReferrals-dev.template.json'), 'utf8')) as {
        Resources: object;
      };
      expect(Object.keys(template.Resources).length).toBeGreaterThan(100);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
