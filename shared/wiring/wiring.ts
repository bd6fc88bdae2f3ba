import type { z } from 'zod';
import type { LocalCredentials } from '../adapters/aws-clients';
import { withSecrets } from '../adapters/secrets';
import { loadConfig } from '../config';

/**
 * How one function is put together: the configuration schema it reads and the builder that turns
 * that configuration into its dependencies (adapters behind the ports its use cases take). The
 * Lambda handler (`depsFromEnvironment`) and the local stack (`build` with the stand-ins'
 * credentials) call the same builder; infra/functions.ts names it for each function.
 */
export interface Wiring<S extends z.ZodObject = z.ZodObject, D = unknown> {
  readonly config: S;
  readonly build: (config: z.output<S>, credentials?: LocalCredentials) => D;
}

export function wiring<S extends z.ZodObject, D>(config: S, build: Wiring<S, D>['build']): Wiring<S, D> {
  return { config, build };
}

/** The secrets a schema may name: on AWS each is read from Secrets Manager (`<NAME>_ARN`) at cold start. */
export const SECRET_NAMES = ['CONSUMER_KEY_SECRET', 'SIGNING_SECRET'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export function secretsOf(schema: z.ZodObject): SecretName[] {
  return SECRET_NAMES.filter((name) => name in schema.shape);
}

/** On Lambda: the secrets the schema names filled in, the configuration validated, the deps built. */
export async function depsFromEnvironment<S extends z.ZodObject, D>(
  w: Wiring<S, D>,
  env: Record<string, string | undefined> = process.env,
): Promise<D> {
  return w.build(loadConfig(w.config, await withSecrets(env, secretsOf(w.config))));
}
