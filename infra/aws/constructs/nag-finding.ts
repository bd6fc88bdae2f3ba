import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A resource as cdk-nag names it in a granular finding (`AwsSolutions-IAM5[Resource::<this>]`):
 * the resolved value flattened, references as <LogicalId> or <LogicalId.Attribute>. Mirrors
 * cdk-nag's internal flattenCfnReference, so acknowledgements name exactly one resource.
 */
export function nagResource(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const n = node as Record<string, unknown>;
  if (n['Fn::Join']) {
    const [delimiter, items] = n['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (n['Fn::Sub'] !== undefined) return flatten(n['Fn::Sub']);
  if (n['Fn::GetAtt']) {
    const [resource, attribute] = n['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (n['Fn::ImportValue'] !== undefined) return flatten(n['Fn::ImportValue']);
  if (n.Ref !== undefined) return `<${flatten(n.Ref)}>`;
  return JSON.stringify(node);
}
