import type { z } from 'zod';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { loadConfig } from '../../shared/config';
import type { Wiring } from '../../shared/wiring/wiring';
import type { FUNCTIONS, FunctionName, HandlerOf } from '../functions';
import { FUNCTION_NAMES, specOf } from '../functions';
import { asFunction } from './function-scope';

export type LocalHandlers = { readonly [N in FunctionName]: HandlerOf<N> };
export type DepsOf<N extends FunctionName> = Parameters<(typeof FUNCTIONS)[N]['create']>[0];
export type LocalDeps = { readonly [N in FunctionName]: DepsOf<N> };

/**
 * Every function of the manifest, built as on Lambda: its configuration schema over the local
 * environment, its deps builder (shared/wiring/) with the stand-ins' credentials, its handler
 * factory; only the clock may differ. Each handler runs as its function (function-scope.ts).
 */
export function buildLocalFunctions(
  env: Record<string, string>,
  credentials: LocalCredentials,
  clock: () => Date,
): { handlers: LocalHandlers; deps: LocalDeps } {
  const handlers: Record<string, unknown> = {};
  const deps: Record<string, unknown> = {};
  for (const name of FUNCTION_NAMES) {
    const spec = specOf(name) as unknown as {
      wiring: Wiring<z.ZodObject, object>;
      create: (deps: object) => (...args: unknown[]) => unknown;
    };
    deps[name] = { ...spec.wiring.build(loadConfig(spec.wiring.config, env), credentials), clock };
    handlers[name] = asFunction(name, spec.create(deps[name] as object));
  }
  return { handlers: handlers as LocalHandlers, deps: deps as LocalDeps };
}
