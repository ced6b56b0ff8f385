// Parses pipeline.yaml keeping positions, so every later error can point at a file, line and key.
import type { Document, LineCounter, Node } from 'yaml';
import { yamlModule } from '../lazy.js';
import { SpecError, type SourceLocation } from '../errors.js';
import { firstDuplicateKey } from './duplicate-keys.js';

export interface YamlSource {
  file: string;
  document: Document.Parsed;
  lines: LineCounter;
  value: unknown;
  /** A profile written over this file (extends:): the paths it `owns` are located in its source instead. */
  overlay?: { source: YamlSource; owns: (path: readonly (string | number)[]) => boolean };
}

/** Alias uses allowed while building values: far above any real pipeline, far below an alias bomb. */
const aliasLimit = 1000;

export function parseYamlSource(file: string, text: string): YamlSource {
  const { LineCounter, parseDocument } = yamlModule();
  const lines = new LineCounter();
  // logLevel 'error': what `yaml` would print as a warning (an unknown tag, a list as a map key) is refused
  // by checkPlainValues with a located message instead.
  // uniqueKeys: false, and firstDuplicateKey instead: yaml's check is quadratic in the keys of a map.
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
  const duplicate = firstDuplicateKey(document);
  const problem = document.errors[0];
  if (duplicate !== undefined && (!problem || duplicate < problem.pos[0])) {
    const { line, col } = lines.linePos(duplicate);
    throw new SpecError('spec-syntax', { file, line, column: col, path: [] }, 'YAML syntax error: Map keys must be unique');
  }
  if (problem) {
    const [start] = problem.pos;
    const { line, col } = lines.linePos(start);
    const first = problem.message.split('\n')[0];
    const message = first.includes('Maximum call stack') ? 'it is nested too deeply to read' : first;
    throw new SpecError('spec-syntax', { file, line, column: col, path: [] }, `YAML syntax error: ${message}`);
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: aliasLimit });
  } catch (error) {
    // The yaml package refuses alias bombs (ReferenceError) and may run out of stack on absurd nesting.
    if (!(error instanceof ReferenceError) && !(error instanceof RangeError)) throw error;
    const why = error instanceof ReferenceError ? `its aliases expand too far (more than ${aliasLimit} alias uses in one value)` : 'it is nested too deeply';
    throw new SpecError('spec-syntax', { file, path: [] }, `YAML cannot be read: ${why}`);
  }
  return { file, document, lines, value };
}

/** The location of the value at `path` (or of its key, for "unknown key" messages). */
export function locate(source: YamlSource, path: readonly (string | number)[], options: { key?: boolean } = {}): SourceLocation {
  if (source.overlay?.owns(path)) return locate(source.overlay.source, path, options);
  const { isMap, isScalar, isSeq } = yamlModule();
  let node: unknown = source.document.contents;
  let range: readonly number[] | undefined = (node as Node | null)?.range ?? undefined;
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) break;
      const keyNode = pair.key as Node;
      range = (last && options.key ? keyNode.range : ((pair.value as Node | null)?.range ?? keyNode.range)) ?? undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      range = item.range ?? undefined;
      node = item;
    } else {
      break;
    }
  }
  if (!range) return { file: source.file, path };
  const { line, col } = source.lines.linePos(range[0]);
  return { file: source.file, line, column: col, path };
}
