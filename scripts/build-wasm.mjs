#!/usr/bin/env node
// Assembles the hand-written WebAssembly kernels (src/**/*.wat) into the .wasm files committed beside them.
//
//   node scripts/build-wasm.mjs           write each .wasm
//   node scripts/build-wasm.mjs --check   exit 1 when a committed .wasm is not its .wat's assembly
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import wabtInit from 'wabt';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const check = process.argv.includes('--check');
const wabt = await wabtInit();
let stale = 0;
for (const source of await glob('src/**/*.wat', { cwd: root })) {
  const text = await readFile(path.join(root, source), 'utf8');
  const module = wabt.parseWat(source, text);
  module.validate();
  const { buffer } = module.toBinary({ write_debug_names: false });
  module.destroy();
  const target = path.join(root, source.replace(/\.wat$/, '.wasm'));
  if (check) {
    const committed = await readFile(target).catch(() => undefined);
    if (!committed || !Buffer.from(buffer).equals(committed)) {
      console.error(`${path.relative(root, target)} is not the assembly of ${source}: run npm run build:wasm`);
      stale++;
    }
  } else {
    await writeFile(target, buffer);
    console.log(`${path.relative(root, target)}: ${buffer.length} bytes`);
  }
}
process.exit(stale > 0 ? 1 : 0);
