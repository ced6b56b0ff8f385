// Checks pipeline.yaml against the published JSON Schema and turns the first problem into a located message.
import fs from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ajvModule } from '../lazy.js';
import { schemaFile } from '../paths.js';
import { SpecError } from '../errors.js';
import { maxNameLength } from './names.js';
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

/**
 * The deepest error, and among errors at one place: a branch's own complaint (a bad name in a needs map)
 * before `type` errors, which come from oneOf branches for other kinds of value; when every branch only
 * says "wrong type", the oneOf itself, whose message lists the kinds that would do.
 */
function mostSpecific(errors: ErrorObject[]): ErrorObject {
  const depth = (error: ErrorObject) => pointerToPath(error.instancePath).length;
  const deepest = Math.max(...errors.map(depth));
  const here = errors.filter((error) => depth(error) === deepest);
  return (
    here.find((error) => error.keyword !== 'type' && !vagueKeywords.has(error.keyword)) ?? here.find((error) => error.keyword === 'oneOf') ?? here.find((error) => error.keyword === 'type') ?? here[0]
  );
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

/** What each kind of name may hold; names become file names, ${…} references and environment variables. */
const nameRules = {
  stage: `letters, digits, "_", "-" and "." (not first), at most ${maxNameLength} characters; "@" is reserved for fan-out members`,
  'environment variable': 'letters, digits and "_", not starting with a digit',
  input: `letters, digits, "_" and "-", at most ${maxNameLength} characters (it becomes \${in.NAME} and a file name)`,
} as const;

/** The kind of name a schema rule checks, by where the rule sits in the schema (not by key names a user may reuse). */
function nameKind(schemaPath: string): keyof typeof nameRules | undefined {
  if (/^#\/properties\/stages\/propertyNames(\/|$)/.test(schemaPath)) return 'stage';
  if (/\/properties\/env\/(propertyNames|items)(\/|$)/.test(schemaPath)) return 'environment variable';
  if (/\/properties\/needs\/oneOf\/\d+\/propertyNames(\/|$)/.test(schemaPath)) return 'input';
  return undefined;
}

/** A name as a message shows it: quoted with escapes (spaces, unicode, control characters visible), long ones cut. */
function shownName(name: string): string {
  const cut = name.length > 60 ? `${name.slice(0, 40)}…` : name;
  return `${JSON.stringify(cut)}${cut === name ? '' : ` (${name.length} characters)`}`;
}

function badName(error: ErrorObject, name: string): string | undefined {
  const kind = nameKind(error.schemaPath);
  return kind && `invalid ${kind} name ${shownName(name)}: use ${nameRules[kind]}`;
}

export function validateSpec(source: YamlSource): void {
  if (source.value === null || source.value === undefined) {
    throw new SpecError('spec-schema', { file: source.file, line: 1, path: [] }, 'the file defines no stages: it is empty or holds only comments (expected a map with a "stages:" key)');
  }
  const validate = validator();
  if (validate(source.value)) return;
  const error = mostSpecific(validate.errors ?? []);
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    const key = String(params.additionalProperty);
    throw new SpecError('spec-schema', locate(source, [...path, key], { key: true }), describe(error, undefined));
  }
  // A key that breaks its map's propertyNames: ajv names it beside the failing keyword; the map's own value is no name.
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName ?? (error.keyword === 'propertyNames' ? String(params.propertyName) : undefined);
  if (propertyName !== undefined) {
    const message = badName(error, propertyName) ?? `invalid key ${shownName(propertyName)}: ${error.message ?? 'not allowed here'}`;
    // The key's own line, under its map's path: the message already shows the name, escaped and cut short.
    throw new SpecError('spec-schema', { ...locate(source, [...path, propertyName], { key: true }), path }, message);
  }
  const value = valueAt(source.value, path);
  if (error.keyword === 'pattern' && typeof value === 'string') {
    const message = badName(error, value);
    if (message) throw new SpecError('spec-schema', locate(source, path), message);
  }
  if (path.length === 1 && path[0] === 'stages' && (error.keyword === 'minProperties' || value === null)) {
    throw new SpecError('spec-schema', locate(source, path, { key: true }), 'the file defines no stages: "stages:" is empty');
  }
  // The root's anyOf: a pipeline has stages, a profile extends one.
  if (path.length === 0 && (error.keyword === 'anyOf' || (error.keyword === 'required' && ['stages', 'extends'].includes(String(params.missingProperty))))) {
    throw new SpecError('spec-schema', locate(source, path), 'missing required key "stages" (or "extends: FILE", to run the stages of another pipeline file with these params)');
  }
  if (path.length === 0 && error.keyword === 'type') {
    throw new SpecError('spec-schema', locate(source, path), `expected a map with a "stages:" key, got ${kindOf(value)}`);
  }
  throw new SpecError('spec-schema', locate(source, path), describe(error, value));
}
