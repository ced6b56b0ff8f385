// src/artifacts sits below src/ml and src/report (both import it, so it must import neither) and is unknown to src/engine.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every relative import of `file`, resolved to a path under src/. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\bfrom\s+'(\.[^']+)'/g)].map((match) => path.relative(src, path.resolve(path.dirname(file), match[1]!)));
}

describe('src/artifacts boundaries', () => {
  it('imports only itself, the typed-error base (which imports nothing) and packages', () => {
    const outside = sources(path.join(src, 'artifacts')).flatMap((file) =>
      relativeImports(file)
        .filter((target) => !target.startsWith('artifacts/') && target !== 'typed-error.js')
        .map((target) => `${path.relative(src, file)} → ${target}`),
    );
    expect(outside).toEqual([]);
  });

  it('is not imported by src/engine', () => {
    const users = sources(path.join(src, 'engine')).filter((file) => relativeImports(file).some((target) => target.startsWith('artifacts/')));
    expect(users).toEqual([]);
  });
});
