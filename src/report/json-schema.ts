// Validates parsed JSON against a JSON Schema (ajv) and turns the first violation into a one-line ReportError.
import { Ajv, type Schema } from 'ajv';
import { ReportError, type ReportErrorReason } from './errors.js';

const ajv = new Ajv({ allErrors: false, strict: false });

export function assertMatchesSchema<T>(
  value: unknown,
  schema: Schema,
  where: string,
  reason: ReportErrorReason = 'corrupt-input',
): asserts value is T {
  const validate = ajv.compile(schema);
  if (validate(value)) return;
  const first = validate.errors?.[0];
  const path = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : '(top level)';
  throw new ReportError(reason, `${where}: ${path} ${first?.message ?? 'is invalid'}`);
}
