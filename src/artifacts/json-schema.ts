// Checks parsed JSON against a JSON Schema (ajv) and describes the first violation as "path message".
import { Ajv, type Schema } from 'ajv';

const ajv = new Ajv({ allErrors: false, strict: false });

/** undefined when `value` matches `schema`; else where and how it does not, e.g. "settings.a.rows.2.loss must have required property 'lmc'". */
export function schemaViolation(value: unknown, schema: Schema): string | undefined {
  const validate = ajv.compile(schema);
  if (validate(value)) return undefined;
  const first = validate.errors?.[0];
  const path = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : '(top level)';
  return `${path} ${first?.message ?? 'is invalid'}`;
}
