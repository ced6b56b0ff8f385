// A stage command as parts: shell text, fixed when pipeline.yaml is read, and the run-time paths ${out}, ${in.X}, ${scratch}.
import { contextAfter, quoteFor } from './shell-words.js';
import { isRuntimeReference, lookup, UnresolvedTemplate, type TemplateScope } from './template.js';

/** Shell text as it reaches /bin/sh, or a run-time reference (`out`, `scratch`, `in.NAME`). */
export type CommandPart = string | { ref: string };

export interface ResolvedCommand {
  /** What the stage key hashes (see keyText). */
  text: string;
  parts: CommandPart[];
}

const reference = /\$\$\{|\$\{([^}]*)\}/g;
const whole = /^\$\{([^}]*)\}$/;

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function push(parts: CommandPart[], part: CommandPart): void {
  if (typeof part === 'string') {
    if (part === '') return;
    const last = parts.length - 1;
    if (typeof parts[last] === 'string') {
      parts[last] = (parts[last] as string) + part;
      return;
    }
  }
  parts.push(part);
}

/** How commands were read before they were kept as parts: one pass of ${…} over the whole text. */
function partsOfText(text: string): CommandPart[] {
  const parts: CommandPart[] = [];
  let at = 0;
  for (const match of text.matchAll(reference)) {
    push(parts, text.slice(at, match.index));
    at = match.index + match[0].length;
    if (match[1] === undefined) push(parts, '${');
    else if (isRuntimeReference(match[1].trim())) push(parts, { ref: match[1].trim() });
    else push(parts, match[0]);
  }
  push(parts, text.slice(at));
  return parts;
}

function sameParts(a: CommandPart[], b: CommandPart[]): boolean {
  return a.length === b.length && a.every((part, index) => (typeof part === 'string' ? part === b[index] : typeof b[index] === 'object' && part.ref === (b[index] as { ref: string }).ref));
}

/**
 * The text a stage key hashes. It is the command as written with params and loop variables filled in, as
 * it always was, so existing keys (and pipeline.lock) stay valid. When that text alone would be read as a
 * different command (a param whose value holds `${out}` or `$${`, substituted raw, not expanded again),
 * the key hashes the parts instead, so two commands that run differently never share a key.
 */
function keyText(legacy: string, parts: CommandPart[]): string {
  if (sameParts(partsOfText(legacy), parts)) return legacy;
  return `\0parts:${JSON.stringify(parts)}`;
}

/**
 * Resolves params and loop variables in a command, in one pass: the value of ${params.x} is shell text as it
 * is (raw, like DVC and Snakemake), never searched for references again.
 */
export function resolveCommand(text: string, scope: TemplateScope): ResolvedCommand {
  const single = whole.exec(text);
  if (single && !isRuntimeReference(single[1].trim())) {
    const value = asText(lookup(scope, single[1]));
    return { text: keyText(value, value === '' ? [] : [value]), parts: value === '' ? [] : [value] };
  }
  const parts: CommandPart[] = [];
  let legacy = '';
  let at = 0;
  for (const match of text.matchAll(reference)) {
    const between = text.slice(at, match.index);
    push(parts, between);
    legacy += between;
    at = match.index + match[0].length;
    if (match[1] === undefined) {
      push(parts, '${'); // "$${" writes a literal "${"
      legacy += match[0];
      continue;
    }
    const expression = match[1].trim();
    if (isRuntimeReference(expression)) {
      push(parts, { ref: expression });
      legacy += `\${${expression}}`;
      continue;
    }
    const value = asText(lookup(scope, expression));
    push(parts, value);
    legacy += value;
  }
  push(parts, text.slice(at));
  legacy += text.slice(at);
  return { text: keyText(legacy, parts), parts };
}

/** The run-time references a command uses, to check them against the stage's needs before anything runs. */
export function commandReferences(parts: readonly CommandPart[]): string[] {
  return parts.flatMap((part) => (typeof part === 'string' ? [] : [part.ref]));
}

/**
 * The command /bin/sh runs: each run-time path quoted for where it stands (outside quotes, inside "…" or
 * '…'), so a project path with spaces or quotes stays one word.
 */
export function renderCommand(parts: readonly CommandPart[], values: { out: string; scratch?: string; inputs: Record<string, string> }): string {
  let command = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      command += part;
      continue;
    }
    const value = part.ref === 'out' ? values.out : part.ref === 'scratch' ? values.scratch : values.inputs[part.ref.slice(3)];
    if (value === undefined) throw new UnresolvedTemplate(part.ref, 'has no value for this run');
    command += quoteFor(value, contextAfter(command));
  }
  return command;
}
