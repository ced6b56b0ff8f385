// Bundles the CLI and the engine into dist/cli.js: one file loads far faster than eighty small ES modules,
// which is most of a no-op run. Heavy packages needed only for real work stay external and load lazily.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: start empty so no stale chunk lingers.
rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  // Code behind a dynamic import (commands, listr2's renderer, the Slurm executor) becomes its own chunk,
  // so its external packages are loaded only when it runs.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // write-file-atomic reads __filename, which a bundled ES module does not have; esbuild (following a stage
  // program's imports) finds its native binary from its own package directory.
  external: ['execa', 'listr2', 'yaml', 'ajv', 'write-file-atomic', 'esbuild'],
  // Bundled CommonJS packages (write-file-atomic) call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
