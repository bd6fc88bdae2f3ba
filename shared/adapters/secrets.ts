import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManagerClient } from './aws-clients';

/**
 * On AWS a secret's value is not in the environment: `<NAME>_ARN` names a Secrets Manager secret,
 * read once at cold start. Locally the value itself is given as `<NAME>`. Returns the environment
 * with each value filled in, for the config schema to validate.
 */
export async function withSecrets(
  env: Record<string, string | undefined>,
  names: readonly string[],
): Promise<Record<string, string | undefined>> {
  const wanted = names.filter((name) => env[name] === undefined && env[`${name}_ARN`] !== undefined);
  if (wanted.length === 0) return env;
  const client = secretsManagerClient(env.AWS_REGION);
  const filled = { ...env };
  for (const name of wanted) {
    const out = await client.send(new GetSecretValueCommand({ SecretId: env[`${name}_ARN`] }));
    filled[name] = out.SecretString;
  }
  client.destroy();
  return filled;
}
