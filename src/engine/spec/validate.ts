// Checks pipeline.yaml against the published JSON Schema and turns the first problem into a located message.
import fs from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ajvModule } from '../lazy.js';
import { schemaFile } from '../paths.js';
import { SpecError } from '../errors.js';
import { locate, type YamlSource } from './yaml-source.js';


let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  const schema = JSON.parse(fs.readFileSync(schemaFile(), 'utf8')) as object;
  const { Ajv } = ajvModule();
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  return compiled;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** Combinators only say "one of the branches failed": prefer the branch's own, more specific error. */
const vagueKeywords = new Set(['oneOf', 'anyOf', 'if', 'then', 'else']);

function mostSpecific(errors: ErrorObject[]): ErrorObject {
  return [...errors].sort((a, b) => {
    const depth = pointerToPath(b.instancePath).length - pointerToPath(a.instancePath).length;
    if (depth !== 0) return depth;
    return Number(vagueKeywords.has(a.keyword)) - Number(vagueKeywords.has(b.keyword));
  })[0];
}

function describe(error: ErrorObject, value: unknown): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key "${String(params.additionalProperty)}"`;
    case 'required':
      return `missing required key "${String(params.missingProperty)}"`;
    case 'type':
      return `expected ${String(params.type).replace(',', ' or ')}, got ${kindOf(value)}`;
    case 'propertyNames':
      return `invalid name "${String(params.propertyName)}" (letters, digits, "_", "-" and "." only; no "@")`;
    case 'pattern':
      return `"${String(value)}" does not match ${String(params.pattern)}`;
    case 'enum':
      return `expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'oneOf':
      return `expected ${oneOfHint(error)}, got ${kindOf(value)}`;
    default:
      return error.message ?? 'invalid value';
  }
}

function oneOfHint(error: ErrorObject): string {
  if (error.schemaPath.includes('foreach')) return 'a list, a map or a ${…} template';
  if (error.schemaPath.includes('needs')) return 'a list of stage names or a map input → stage';
  if (error.schemaPath.includes('publish')) return 'a destination path or a map path → destination';
  if (error.schemaPath.includes('params')) return 'a map or a ${params.…} template';
  if (error.schemaPath.includes('deps')) return 'a path, a glob or a list of them';
  return 'a different kind of value';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const part of path) node = (node as Record<string | number, unknown> | undefined)?.[part];
  return node;
}

export function validateSpec(source: YamlSource): void {
  const validate = validator();
  if (validate(source.value)) return;
  const error = mostSpecific(validate.errors ?? []);
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    const key = String(params.additionalProperty);
    throw new SpecError('spec-schema', locate(source, [...path, key], { key: true }), describe(error, undefined));
  }
  if (error.keyword === 'propertyNames') {
    const key = String(params.propertyName);
    throw new SpecError('spec-schema', locate(source, [...path, key], { key: true }), describe(error, undefined));
  }
  throw new SpecError('spec-schema', locate(source, path), describe(error, valueAt(source.value, path)));
}
