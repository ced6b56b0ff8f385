// Resolves ${…} references in pipeline.yaml values; ${out}, ${in.X} and ${scratch} are left for run time (command.ts).

/** Names bound while a stage body is expanded: params, and the fan-out loop variables. */
export interface TemplateScope {
  params: unknown;
  loop?: LoopFrame;
}

export interface LoopFrame {
  item: unknown;
  key: string;
  outer?: LoopFrame;
}

/** Thrown with the offending expression; the caller adds file, line and key. */
export class UnresolvedTemplate extends Error {
  constructor(
    readonly expression: string,
    detail: string,
  ) {
    super(`\${${expression}} ${detail}`);
  }
}

const runtimeRoots = new Set(['out', 'scratch']);
const reference = /\$\$\{|\$\{([^}]*)\}/g;
const whole = /^\$\{([^}]*)\}$/;

export function isRuntimeReference(expression: string): boolean {
  return runtimeRoots.has(expression) || /^in\.[^.]+$/.test(expression);
}

export function lookup(scope: TemplateScope, expression: string): unknown {
  const parts = expression.trim().split('.');
  if (parts.some((part) => part === '')) throw new UnresolvedTemplate(expression, 'is not a valid reference');
  let frame = scope.loop;
  let index = 0;
  while (parts[index] === 'outer') {
    frame = frame?.outer;
    index += 1;
    if (!frame) throw new UnresolvedTemplate(expression, 'reaches past the outermost foreach');
  }
  const root = parts[index];
  let value: unknown;
  if (root === 'params') value = scope.params;
  else if (root === 'item' || root === 'key') {
    if (!frame) throw new UnresolvedTemplate(expression, `does not resolve: \${${root}} exists only inside foreach … do`);
    value = root === 'item' ? frame.item : frame.key;
  } else {
    throw new UnresolvedTemplate(expression, 'does not resolve: expected params.…, item, key, outer.…, out, in.NAME or scratch');
  }
  const walked = parts.slice(0, index + 1);
  for (const part of parts.slice(index + 1)) {
    walked.push(part);
    if (value === null || typeof value !== 'object' || !(part in (value as object))) {
      throw new UnresolvedTemplate(expression, `does not resolve: "${walked.join('.')}" is not defined`);
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Resolves one string: a lone ${x} keeps x's type (a map stays a map); embedded ones become text. */
export function resolveString(text: string, scope: TemplateScope): unknown {
  const single = whole.exec(text);
  if (single && !isRuntimeReference(single[1].trim())) return lookup(scope, single[1]);
  return text.replace(reference, (match, expression: string | undefined) => {
    if (expression === undefined) return match; // "$${" stays an escaped "${" until run time
    const trimmed = expression.trim();
    if (isRuntimeReference(trimmed)) return `\${${trimmed}}`;
    return asText(lookup(scope, trimmed));
  });
}

/** Resolves every string inside a value; `onError` receives the key path of the failing string. */
export function resolveDeep(value: unknown, scope: TemplateScope, path: (string | number)[] = []): unknown {
  if (typeof value === 'string') {
    try {
      return resolveString(value, scope);
    } catch (error) {
      if (error instanceof UnresolvedTemplate) throw Object.assign(error, { path });
      throw error;
    }
  }
  if (Array.isArray(value)) return value.map((item, index) => resolveDeep(item, scope, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveDeep(item, scope, [...path, key])]));
  }
  return value;
}
