import type { PalSynth } from './pal-app';

/** A CloudFormation value flattened to text: references as <LogicalId> or <LogicalId.Attribute>. */
export function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v && typeof v === 'object') {
    if (typeof v.Ref === 'string') return `<${v.Ref}>`;
    if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
    if (Array.isArray(v['Fn::Join'])) {
      const [delimiter, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(flat).join(delimiter);
    }
  }
  return JSON.stringify(value);
}

export interface Statement {
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions?: unknown;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The Allow statements of every managed policy attached to a role (by the role's logical id), flattened. */
export function statementsOfRole(synth: PalSynth, roleId: string): Statement[] {
  return Object.values(synth.resources)
    .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')
    .filter((r) => list(r.Properties?.Roles as unknown[]).some((role) => flat(role) === `<${roleId}>`))
    .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement)
    .filter((s) => s.Effect === 'Allow')
    .map((s) => ({
      actions: list(s.Action as string | string[]).sort(),
      resources: list(s.Resource).map(flat).sort(),
      ...(s.Condition !== undefined && { conditions: s.Condition }),
    }));
}

/**
 * Every (action, resource) pair a role is allowed, as 'action on resource', with ' via <service>'
 * when a kms:ViaService condition limits it to one service.
 */
export function grantsOfRole(synth: PalSynth, roleId: string): string[] {
  return statementsOfRole(synth, roleId)
    .flatMap((s) => {
      const via = /"kms:ViaService":.*?"(\w+)\./.exec(JSON.stringify(s.conditions ?? {}))?.[1];
      return s.actions.flatMap((a) => s.resources.map((r) => `${a} on ${r}${via ? ` via ${via}` : ''}`));
    })
    .sort();
}

/** Resources of one type, by logical id. */
export function resourcesOfType(synth: PalSynth, type: string): [string, Record<string, unknown>][] {
  return Object.entries(synth.resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}
