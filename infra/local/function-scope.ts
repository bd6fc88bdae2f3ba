import { AsyncLocalStorage } from 'node:async_hooks';
import type { FunctionName } from '../functions';

/**
 * Which function's handler is running. On AWS each function is its own process; here they share
 * one, so the deployment contract's recorder (test/infra/contract) reads this to attribute each AWS
 * call to the function whose role would make it.
 */
const running = new AsyncLocalStorage<FunctionName>();

export function runningFunction(): FunctionName | undefined {
  return running.getStore();
}

/** The handler, run as the named function: every call it makes (awaited or not) is that function's. */
export function asFunction<A extends unknown[], R>(name: FunctionName, handler: (...args: A) => R): (...args: A) => R {
  return (...args) => running.run(name, () => handler(...args));
}
