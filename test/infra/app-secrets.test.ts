import { SECRET_ENV } from '../../infra/aws/constructs/app-secrets.construct';
import type { FunctionName } from '../../scripts/bundle-functions';
import type { PalSynth } from './support/pal-app';
import { synthPal } from './support/pal-app';
import { flat, resourcesOfType } from './support/template';

let synth: PalSynth;
beforeAll(async () => {
  synth = await synthPal();
});

describe('AppSecrets', () => {
  test('two generated secrets of 48+ characters, encrypted with the data key, retained', () => {
    const secrets = resourcesOfType(synth, 'AWS::SecretsManager::Secret');
    // Unnamed: a deleted secret's name stays taken for its recovery window (a retried create would fail).
    expect(secrets.map(([, p]) => p.Name)).toEqual([undefined, undefined]);
    for (const [id, p] of secrets) {
      const generated = p.GenerateSecretString as { PasswordLength: number; ExcludePunctuation: boolean };
      expect(generated.PasswordLength).toBeGreaterThanOrEqual(48);
      expect(p.SecretString).toBeUndefined();
      expect(flat(p.KmsKeyId)).toBe(`<${synth.idOf(synth.stack.encryption.dataKey)}.Arn>`);
      expect(synth.resources[id]!.DeletionPolicy).toBe('RetainExceptOnCreate');
    }
  });

  test.each([
    ['route-referral', ['consumerKey', 'signing']],
    ['report-send', ['signing']],
    ['report-due', ['signing']],
    ['report-ingest', ['signing']],
    ['report-links', ['signing']],
    ['lead-page', ['signing']],
    ['ses-feedback', ['consumerKey', 'signing']],
    ['contact-confirmations', ['signing']],
    ['contact-confirm', ['signing']],
    ['admin-api', ['consumerKey', 'signing']],
    ['intake-api', []],
    ['republish-referrals', []],
  ] as [FunctionName, ('consumerKey' | 'signing')[]][])('%s gets the ARNs of %j, never a value', (name, roles) => {
    const env = (
      synth.resources[synth.idOf(synth.stack.functions.functions[name].function)]!.Properties!.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    const given = Object.keys(env).filter((k) => k.includes('SECRET'));
    expect(given.sort()).toEqual(roles.map((r) => SECRET_ENV[r]).sort());
    for (const role of roles) {
      expect(env[SECRET_ENV[role]]).toEqual({ Ref: synth.idOf(synth.stack.secrets.secrets[role]) });
    }
  });
});
