// `--set PATH=VALUE` (-S, as `dvc exp run -S`): params changed for one command, before validation, so they enter keys.
import { yamlModule } from '../lazy.js';
import { SpecError, PipelineError, type SourceLocation } from '../errors.js';
import { locate, type YamlSource } from './yaml-source.js';

export interface Override {
  /** As the user wrote it, for messages. */
  text: string;
  /** The path under `params`. */
  path: string[];
  value: unknown;
  /** Where it was written, when in a file (a profile's `set:`): messages point there, not at the param it changes. */
  writtenAt?: SourceLocation;
}

/** Parses `sweep.points=50`: the path is under params; the value is read as YAML (50 a number, true a boolean, [1, 2] a list). */
export function parseOverride(text: string): Override {
  const at = text.indexOf('=');
  if (at < 0) throw new PipelineError('bad-usage', `--set ${text}: expected PATH=VALUE, e.g. --set sweep.points=50 (the path is under params)`);
  const path = text.slice(0, at).split('.');
  if (path.some((part) => part === '')) throw new PipelineError('bad-usage', `--set ${text}: "${text.slice(0, at)}" is not a param path (names joined by dots, e.g. sweep.points)`);
  let value: unknown;
  try {
    value = yamlModule().parse(text.slice(at + 1));
  } catch (cause) {
    throw new PipelineError('bad-usage', `--set ${text}: the value is not YAML (${(cause as Error).message.split('\n')[0]})`, { cause });
  }
  return { text, path, value: value === undefined ? null : value };
}

function finiteEverywhere(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(finiteEverywhere);
  if (value !== null && typeof value === 'object') return Object.values(value).every(finiteEverywhere);
  return true;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `a ${typeof value}`;
}

/**
 * Sets each override in the parsed pipeline. The param must exist (a misspelt path would otherwise add a param no
 * stage reads) and keep its kind: a number stays a number, a list a list.
 */
export function applyOverrides(source: YamlSource, overrides: readonly Override[]): void {
  for (const override of overrides) {
    // A location in a profile already names the entry (set.sweep.points); a -S flag is named in the message.
    const label = override.writtenAt ? '' : `--set ${override.text}: `;
    const at = (path: readonly string[]) => override.writtenAt ?? locate(source, path);
    const fullPath = ['params', ...override.path];
    let parent: Record<string, unknown> | undefined;
    let node: unknown = source.value;
    for (const [depth, part] of fullPath.entries()) {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !(part in node)) {
        const where = at(fullPath.slice(0, depth));
        const known = node !== null && typeof node === 'object' && !Array.isArray(node) ? Object.keys(node).join(', ') : '';
        const here = depth === 0 ? 'the file' : fullPath.slice(0, depth).join('.');
        throw new SpecError('spec-schema', where, `${label}there is no param ${override.path.slice(0, depth).join('.') || override.path[0]}${known ? ` (${here} has: ${known})` : ''}`);
      }
      parent = node as Record<string, unknown>;
      node = parent[part];
    }
    if (!finiteEverywhere(override.value)) {
      throw new SpecError('spec-schema', at(fullPath), `${label}infinities and NaN are not values a param can hold; quote it for a string`);
    }
    if (kind(node) !== kind(override.value)) {
      throw new SpecError('spec-schema', at(fullPath), `${label}this param is ${kind(node)} (${JSON.stringify(node)}), the override ${kind(override.value)}`);
    }
    parent![fullPath.at(-1)!] = override.value;
  }
}
