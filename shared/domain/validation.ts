import type { z } from 'zod';

/** One refused field: where it is (dotted path), which rule it breaks, and a sentence a person can act on. */
export interface FieldIssue {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/**
 * Turns zod's issues into FieldIssues. Custom checks name their rule in `params.rule`;
 * zod's own checks get a rule from their code, so every refusal names field and rule alike.
 */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = fieldPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          // A blank key would name no field: it is shown quoted, as JSON would write it.
          const name = key.trim() === '' ? JSON.stringify(key) : key;
          out.push({
            field: base ? `${base}.${name}` : name,
            rule: 'unknown-field',
            message: 'is not a field of this request',
          });
        }
        break;
      case 'invalid_type':
        out.push({
          field: base || 'body',
          rule: issue.input === undefined ? 'required' : 'type',
          message: issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}`,
        });
        break;
      case 'too_small':
        out.push({
          field: base,
          rule: issue.origin === 'string' && issue.minimum === 1 ? 'required' : 'min',
          message: issue.message,
        });
        break;
      case 'too_big':
        out.push({ field: base, rule: issue.origin === 'string' ? 'max-length' : 'max', message: issue.message });
        break;
      case 'invalid_value':
        out.push({
          field: base,
          rule: 'one-of',
          message: `must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
        });
        break;
      case 'invalid_format':
        out.push({ field: base, rule: `format:${issue.format}`, message: issue.message });
        break;
      case 'custom':
        out.push({ field: base, rule: String(issue.params?.rule ?? 'custom'), message: issue.message });
        break;
      default:
        out.push({ field: base || 'body', rule: issue.code, message: issue.message });
    }
  }
  return out;
}

function article(expected: string): string {
  if (expected === 'object' || expected === 'array') return `an ${expected}`;
  return `a ${expected}`;
}
