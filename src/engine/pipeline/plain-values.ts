// Refuses YAML that would reach a stage as something other than what was written: unknown tags, infinities, NaN.
import type { Node } from 'yaml';
import { yamlModule } from '../lazy.js';
import { SpecError } from '../errors.js';
import { locate, type YamlSource } from './yaml-source.js';

const core = 'tag:yaml.org,2002:';

/**
 * Tags whose values are plain JSON data. `yaml` resolves other tags too (!!binary to a Buffer, !!set to a
 * Set, !!timestamp to a Date), but those lose their meaning on the way to a stage as JSON; an unknown tag
 * (`!include`) would silently be taken as the string after it.
 */
const plainTags = new Set(['!', ...['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((name) => `${core}${name}`)]);

function shownTag(tag: string): string {
  return tag.startsWith(core) ? `!!${tag.slice(core.length)}` : tag;
}

function tagProblem(tag: string): string {
  return `YAML tag "${shownTag(tag)}" is not supported: pipeline files have no includes or custom types; write plain strings, numbers, booleans, null, lists and maps`;
}

/** Params reach stages as JSON, where an infinity or NaN would arrive as null and hash like null. */
function numberProblem(written: string): string {
  return `${written} is not a finite number: params reach stages as JSON, which has no infinity or NaN (it would arrive as null); quote it ("${written}") to pass the text`;
}

export function checkPlainValues(source: YamlSource): void {
  const { isAlias, isMap, isScalar, isSeq } = yamlModule();
  // An explicit stack: a document the parser accepted may still be nested deeper than the call stack allows.
  const stack: { node: unknown; path: (string | number)[]; key?: boolean }[] = [{ node: source.document.contents, path: [] }];
  while (stack.length > 0) {
    const { node, path, key } = stack.pop()!;
    // An alias repeats its anchor, which is checked where it is written.
    if (node === null || node === undefined || isAlias(node)) continue;
    const at = () => locate(source, path, { key });
    const tag = (node as Node).tag;
    if (tag !== undefined && !plainTags.has(tag)) throw new SpecError('spec-syntax', at(), tagProblem(tag));
    if (isScalar(node)) {
      if (typeof node.value === 'number' && !Number.isFinite(node.value)) throw new SpecError('spec-schema', at(), numberProblem(node.source ?? String(node.value)));
    } else if (isSeq(node)) {
      // Pushed last to first, so the first problem in the file is the one reported.
      for (let index = node.items.length - 1; index >= 0; index--) stack.push({ node: node.items[index], path: [...path, index] });
    } else if (isMap(node)) {
      const names = node.items.map((pair) => {
        const key = isAlias(pair.key) ? pair.key.resolve(source.document) : pair.key;
        if (!isScalar(key)) throw new SpecError('spec-schema', locate(source, path), 'a map key must be a plain string or number, not a list or a map');
        return String(key.value);
      });
      for (let index = node.items.length - 1; index >= 0; index--) {
        const pair = node.items[index];
        const name = names[index];
        stack.push({ node: pair.value, path: [...path, name] });
        stack.push({ node: pair.key, path: [...path, name], key: true });
      }
    }
  }
}
