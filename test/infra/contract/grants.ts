import type { Verdict } from './evaluate';
import { identityPoliciesOf } from './policies';
import type { TemplateModel } from './template-model';

/** One granted (action, resource) of a role, from one statement of one of its policies. */
export interface Grant {
  readonly role: string;
  readonly policy: string;
  readonly sid?: string;
  readonly action: string;
  readonly resource: string;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function grantsOf(model: TemplateModel, roleIds: readonly string[]): Grant[] {
  return roleIds.flatMap((role) =>
    identityPoliciesOf(model, role).flatMap(({ name, policy }) =>
      policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) =>
        list(s.Action as string | string[]).flatMap((action) =>
          list(s.Resource as string | string[]).map((resource) => ({
            role,
            policy: name,
            ...(typeof s.Sid === 'string' && { sid: s.Sid }),
            action,
            resource: String(resource),
          })),
        ),
      ),
    ),
  );
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );

/** Grants no allowed request used (same role, matching action and resource). */
export function unusedGrants(model: TemplateModel, grants: readonly Grant[], allowed: readonly Verdict[]): Grant[] {
  return grants.filter((g) => {
    const roleArn = model.arnOf(g.role);
    const action = glob(g.action);
    const resource = glob(g.resource);
    return !allowed.some(
      (v) => v.request.principal === roleArn && action.test(v.request.action) && resource.test(v.request.resource),
    );
  });
}

/** A wildcard action (`s3:*`, `kms:GenerateDataKey*`) or a `*` resource. */
export function isWildcard(g: Grant): boolean {
  return g.action.includes('*') || g.resource === '*';
}
