import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { REPO_ROOT } from '../../../infra/aws/config';

/** One resource of the synthesized template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CloudAssembly {
  /** The cloud assembly directory `cdk synth -o` wrote. */
  readonly dir: string;
  readonly template: { Resources: Record<string, TemplateResource>; [k: string]: unknown };
  /** What the CLI printed on stderr (empty when the synth is clean). */
  readonly stderr: string;
  readonly status: number | null;
}

/** A deployed function as the template describes it: its asset in cdk.out, handler and environment. */
export interface ShippedFunction {
  readonly logicalId: string;
  /** Its Powertools service name (functions/<name>). */
  readonly name: string;
  /** Absolute path of the asset directory cdk.out holds for it: what is uploaded to Lambda. */
  readonly assetDir: string;
  readonly handler: string;
  readonly runtime: string;
  readonly environment: Record<string, unknown>;
}

/**
 * `npx cdk synth` as a developer or CI runs it: through cdk.json, offline, with no AWS credentials,
 * profile or region anywhere (the CLI then defaults the region itself). Asynchronous, so stand-ins
 * in this process keep serving while it runs.
 */
export async function synthWithCli(outDir: string, timeoutMs: number): Promise<CloudAssembly> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_')),
  );
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '--no-notices', '-q', '-o', outDir],
    {
      cwd: REPO_ROOT,
      env: {
        ...env,
        // The app (`npx tsx`, cdk.json) on the Node running the tests, as `npm test` has it.
        PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(outDir, '..', 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(outDir, '..', 'no-credentials'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  const template =
    status === 0
      ? (JSON.parse(readFileSync(join(outDir, 'PalReferrals-dev.template.json'), 'utf8')) as CloudAssembly['template'])
      : { Resources: {} };
  return { dir: outDir, template, stderr, status };
}

/** The project's functions in the template (CDK's own custom-resource handlers left out). */
export function shippedFunctions(assembly: CloudAssembly): ShippedFunction[] {
  return Object.entries(assembly.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => {
      const p = r.Properties ?? {};
      const environment = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
        {}) as Record<string, unknown>;
      return {
        logicalId,
        name: String(environment.POWERTOOLS_SERVICE_NAME ?? ''),
        assetDir: join(assembly.dir, String(r.Metadata?.['aws:asset:path'] ?? '')),
        handler: String(p.Handler),
        runtime: String(p.Runtime),
        environment,
      };
    })
    .filter((f) => f.name !== '');
}

/** Logical ids of the resources of one type. */
export function idsOfType(assembly: CloudAssembly, type: string): string[] {
  return Object.entries(assembly.template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
}

/**
 * Resolves a CloudFormation value the way CloudFormation would, from the physical values the test
 * gives each logical id (and the pseudo parameters). A reference the test did not provide throws,
 * naming it: the template gives a function something the artifact test does not stand in for.
 */
export function resolveValue(value: unknown, refs: Readonly<Record<string, string>>, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const v = value as Record<string, unknown>;
  if (v && typeof v.Ref === 'string') {
    const found = refs[v.Ref];
    if (found === undefined) throw new Error(`${where}: no local value for { Ref: ${v.Ref} }`);
    return found;
  }
  if (v && Array.isArray(v['Fn::GetAtt'])) {
    const key = (v['Fn::GetAtt'] as string[]).join('.');
    const found = refs[key];
    if (found === undefined) throw new Error(`${where}: no local value for { Fn::GetAtt: ${key} }`);
    return found;
  }
  if (v && Array.isArray(v['Fn::Join'])) {
    const [delimiter, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveValue(part, refs, where)).join(delimiter);
  }
  throw new Error(`${where}: cannot resolve ${JSON.stringify(value)}`);
}
