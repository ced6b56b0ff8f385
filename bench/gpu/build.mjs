// Bundles what runs on a bare GPU box (no node_modules there): the GPU benchmark, the CIFAR-shaped data generator and
// the fetch-data, train and sweep stage programs, into .gpu-build/ (git-ignored), sharing one chunk of tfjs.
// Dawn's dawn.node travels in .gpu-kit (bash ../shared/gpu/make-kit.sh) and is found through $DAWN_NODE.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const out = '.gpu-build';
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: {
    bench: 'bench/gpu/bench.ts',
    'make-cifar': 'bench/gpu/make-cifar.ts',
    'placement-check': 'bench/gpu/placement-check.ts',
    'filter-grad': 'bench/gpu/filter-grad.ts',
    'fetch-data': 'stages/fetch-data.ts',
    train: 'stages/train.ts',
    sweep: 'stages/sweep.ts',
  },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // The ES module builds: tfjs's CommonJS ones wrap their exports in a way the dynamic import of the webgpu backend
  // would not see its named exports through.
  mainFields: ['module', 'main'],
  // Native or platform-bound packages, loaded only on paths a GPU run does not take: npm `webgpu` ($DAWN_NODE instead),
  // sharp (ImageNet JPEGs), the native tfjs builds, and wasm (its .wasm files would have to travel too).
  external: ['webgpu', 'sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-wasm'],
  // Bundled CommonJS packages call require() for Node built-ins, and write-file-atomic names its temp files after __filename.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; import { fileURLToPath as __fileURLToPath } from 'node:url'; const require = __createRequire(import.meta.url); const __filename = __fileURLToPath(import.meta.url);",
  },
});
