// Validates parsed JSON (params, provenance) against a JSON Schema and turns the first violation into a one-line ReportError.
import type { Schema } from 'ajv';
import { schemaViolation } from '../artifacts/json-schema.js';
import { ReportError, type ReportErrorReason } from './errors.js';

export function assertMatchesSchema<T>(value: unknown, schema: Schema, where: string, reason: ReportErrorReason = 'corrupt-input'): asserts value is T {
  const violation = schemaViolation(value, schema);
  if (violation !== undefined) throw new ReportError(reason, `${where}: ${violation}`);
}
