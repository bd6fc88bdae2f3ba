import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../infra/aws/config';

/**
 * What Lambda's nodejs22.x runtime gives a function, reproduced on this machine: a fresh Node
 * process (the one running the tests, `process.execPath`) that imports the handler file from its
 * asset directory, where the only packages that resolve are the runtime's AWS SDK v3 (`@aws-sdk/*`,
 * whose own dependencies resolve from where they are installed). Everything else a bundle needs
 * must be inside it, or the import fails here as it would on AWS.
 */
export class LambdaSandbox {
  private readonly runner: string;
  private invocations = 0;

  /** `root` must hold the cloud assembly; only @aws-sdk is linked into root/node_modules. */
  constructor(private readonly root: string) {
    mkdirSync(join(root, 'node_modules'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules', '@aws-sdk'), join(root, 'node_modules', '@aws-sdk'), 'dir');
    this.runner = join(root, 'lambda-runner.mjs');
    writeFileSync(this.runner, RUNNER);
    mkdirSync(join(root, 'events'), { recursive: true });
  }

  /**
   * Loads `assetDir/index.mjs` in a fresh process with exactly `env` (plus what Lambda sets), and
   * invokes its handler with `event`, or only imports it when `event` is undefined.
   */
  async invoke(assetDir: string, handler: string, env: Record<string, string>, event?: unknown): Promise<Invocation> {
    const n = ++this.invocations;
    const resultFile = join(this.root, 'events', `${n}.result.json`);
    const eventFile = event === undefined ? '-' : join(this.root, 'events', `${n}.event.json`);
    if (event !== undefined) writeFileSync(eventFile, JSON.stringify(event));
    const child = spawn(process.execPath, [this.runner, assetDir, handler, eventFile, resultFile], {
      cwd: assetDir,
      // Nothing of this process's environment (no NODE_PATH, no credentials of the developer).
      env: {
        TZ: ':UTC',
        LAMBDA_TASK_ROOT: assetDir,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_SESSION_TOKEN: 'local-session',
        // The pinned SDK warns on Node 20 (this machine's); Lambda runs Node 22.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    // A function's own timeout is at most 10 minutes; none of these runs should take one.
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    clearTimeout(timer);
    let outcome: Invocation['outcome'];
    try {
      outcome = JSON.parse(readFileSync(resultFile, 'utf8')) as Invocation['outcome'];
    } catch {
      outcome = { ok: false, errorName: 'NoResult', message: `the process exited (${exitCode}) without a result` };
    }
    rmSync(resultFile, { force: true });
    return { outcome, exitCode, stdout, stderr };
  }
}

export interface Invocation {
  readonly outcome:
    | { ok: true; result: unknown; resolvesOutsideSdk: string[] }
    | { ok: false; errorName: string; message: string; stack?: string };
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The runtime's part: import the handler module as Lambda does (ESM, by file URL), call it once
 * with the event and a context, write the outcome. It also reports which of a few packages the
 * bundles use would resolve from the asset directory: none may (they must be bundled).
 */
const RUNNER = `
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [assetDir, handlerName, eventFile, resultFile] = process.argv.slice(2);
const [file, exportName] = handlerName.split('.');
const write = (outcome) => writeFileSync(resultFile, JSON.stringify(outcome));
try {
  const requireFromTask = createRequire(join(assetDir, 'index.mjs'));
  const resolvesOutsideSdk = ['zod', 'exceljs', 'mailparser', '@aws-lambda-powertools/logger', '@smithy/smithy-client'].filter((name) => {
    try { requireFromTask.resolve(name); return true; } catch { return false; }
  });
  const mod = await import(pathToFileURL(join(assetDir, file + '.mjs')).href);
  const handler = mod[exportName];
  if (typeof handler !== 'function') throw new Error(handlerName + ' is not a function');
  let result = null;
  if (eventFile !== '-') {
    const context = {
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => 60000,
    };
    result = (await handler(JSON.parse(readFileSync(eventFile, 'utf8')), context)) ?? null;
  }
  write({ ok: true, result, resolvesOutsideSdk });
} catch (error) {
  write({ ok: false, errorName: error?.name ?? 'unknown', message: String(error?.message ?? error), stack: error?.stack });
}
// Lambda freezes the process after the handler returns; here it ends, open sockets or not.
setTimeout(() => process.exit(0), 50).unref();
`;
