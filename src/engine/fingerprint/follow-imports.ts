// The project files a program runs: its entry, everything it imports (statically or by a literal dynamic import),
// and whatever a module names as `new URL('literal', import.meta.url)` (a worker, a .wasm file), which bundlers do not follow.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isProgramFile } from '../pipeline/program-file.js';

const require = createRequire(import.meta.url);

/** esbuild could not follow the program's imports: a syntax error, an import of a file that does not exist. */
export class ImportsUnfollowable extends Error {}

/** `new URL(<expression>, import.meta.url)`; every relative string literal in the expression counts (`ok ? './a.ts' : './a.js'`). */
const urlReference = /new\s+URL\(([^;]*?),\s*import\.meta\.url\s*\)/g;
const relativeLiteral = /(['"`])(\.\.?\/[^'"`$]+)\1/g;

/** Project-relative paths of the files a module names by `new URL('…', import.meta.url)` and that exist. */
function urlReferences(root: string, file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const found: string[] = [];
  for (const [, expression] of text.matchAll(urlReference)) {
    for (const [, , literal] of expression.matchAll(relativeLiteral)) {
      const target = path.join(path.dirname(file), literal);
      // Both names of a worker are written (`./w.ts` from source, `./w.js` built): only the one that exists counts.
      if (fs.existsSync(path.join(root, target)) && fs.statSync(path.join(root, target)).isFile()) found.push(target);
    }
  }
  return found;
}

function bundleInputs(root: string, entries: string[]): string[] {
  // Loaded here, not at start-up: a no-op run answers from the memo and never needs esbuild.
  const esbuild = require('esbuild') as typeof import('esbuild');
  let result: import('esbuild').BuildResult<{ metafile: true; write: false }>;
  try {
    result = esbuild.buildSync({
      entryPoints: entries,
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      outdir: 'out-never-written',
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    });
  } catch (cause) {
    const failure = cause as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] };
    const first = failure.errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
    throw new ImportsUnfollowable(first ? `${where}${first.text}` : String(cause), { cause });
  }
  // Inputs outside the project (a symlinked package) are not the project's code; packages are external anyway.
  return Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('../') && !path.isAbsolute(file) && !file.includes(':'));
}

/** The sorted, project-relative files `entry` runs; repeated until workers and their own imports are all in. */
export function followImports(root: string, entry: string): string[] {
  const entries = [entry];
  for (;;) {
    const files = new Set(bundleInputs(root, entries));
    const more: string[] = [];
    for (const file of [...files].filter(isProgramFile)) {
      for (const target of urlReferences(root, file)) {
        files.add(target);
        if (isProgramFile(target) && !entries.includes(target)) more.push(target);
      }
    }
    if (more.length === 0) return [...files].map((file) => file.split(path.sep).join('/')).sort();
    entries.push(...more);
  }
}
