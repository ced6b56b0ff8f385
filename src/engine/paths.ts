// Where the installed package lives, found from this module whether it runs bundled (dist/cli.js) or from source.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazy } from './lazy.js';

/** This module's own file: its mtime changes with every build, which is what invalidates memos. */
export const moduleFile = fileURLToPath(import.meta.url);

export const packageRoot = lazy(() => {
  for (let dir = path.dirname(moduleFile); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'schema', 'pipeline.schema.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the linpath package above ${moduleFile}`);
  }
});

export const schemaFile = lazy(() => path.join(packageRoot(), 'schema', 'pipeline.schema.json'));
