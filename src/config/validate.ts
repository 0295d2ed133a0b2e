/**
 * Structural validation of a risk document against its JSON Schema (Ajv, all errors), with the
 * messages rewritten for people: each names the JSON path of the offending value.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { TSchema } from 'typebox';
import type { Issue } from './issues.js';

const ajv = new Ajv2020({ allErrors: true, discriminator: true, strict: false });
const compiled = new WeakMap<TSchema, ReturnType<typeof ajv.compile>>();

export function schemaIssues(schema: TSchema, value: unknown): Issue[] {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).filter(relevant).map((e) => issueOf(e, value));
}

/** Drop the umbrella errors of a discriminated union once a branch has reported its own. */
function relevant(error: ErrorObject): boolean {
  return error.keyword !== 'oneOf' && error.keyword !== 'if';
}

function issueOf(error: ErrorObject, root: unknown): Issue {
  const path = error.instancePath || '/';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperty' as string:
    case 'additionalProperties':
      return { path: `${error.instancePath}/${String(params['additionalProperty'])}`, code: 'field_unknown', message: 'this field is not part of the format' };
    case 'required':
      return { path: `${error.instancePath}/${String(params['missingProperty'])}`, code: 'field_missing', message: 'this field is required' };
    case 'type': {
      const actual = valueAt(root, error.instancePath);
      const hint = params['type'] === 'string' && typeof actual === 'number' && Number.isFinite(actual) ? ` (write numbers as decimal strings, e.g. "${String(actual)}")` : '';
      return { path, code: 'field_type_wrong', message: `must be ${String(params['type'])}${hint}` };
    }
    case 'pattern':
      return { path, code: 'field_malformed', message: `"${String(valueAt(root, error.instancePath))}" is not of the expected form ${String(params['pattern'])}` };
    case 'const':
    case 'enum':
      return { path, code: 'field_value_unknown', message: `must be one of ${JSON.stringify(params['allowedValue'] ?? params['allowedValues'])}` };
    case 'discriminator':
      return { path, code: 'field_value_unknown', message: `unknown or missing "${String(params['tag'])}"` };
    default:
      return { path, code: `field_${error.keyword}`, message: error.message ?? 'is invalid' };
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
