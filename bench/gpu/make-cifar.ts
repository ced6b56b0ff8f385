// Writes a CIFAR-10-shaped dataset in the real binary format (cifar-10-batches-bin: 5 × 10,000 training and 10,000 test
// records of 1 label byte + 3,072 pixel bytes): CIFAR-10 itself cannot be downloaded on the benchmark machines.
//
//   node --import tsx bench/gpu/make-cifar.ts DIR [--train N] [--test N]
//
// Each class is a fixed random image plus noise, so a network learns it and the losses along a path mean something.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, ...rest] = process.argv.slice(2);
if (!dir) {
  console.error('usage: make-cifar DIR [--train N] [--test N]');
  process.exit(2);
}
const flag = (name: string, fallback: number) => {
  const at = rest.indexOf(name);
  return at >= 0 ? Number(rest[at + 1]) : fallback;
};
const trainCount = flag('--train', 50_000);
const testCount = flag('--test', 10_000);
const pixels = 3072;

let state = 12345;
const next = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
};
const templates = Array.from({ length: 10 }, () => Uint8Array.from({ length: pixels }, () => Math.floor(next() * 256)));

function records(count: number): Uint8Array {
  const out = new Uint8Array(count * (pixels + 1));
  for (let i = 0; i < count; i++) {
    const label = Math.floor(next() * 10);
    const base = i * (pixels + 1);
    out[base] = label;
    for (let p = 0; p < pixels; p++) {
      const noisy = 0.6 * templates[label][p] + 0.4 * 255 * next();
      out[base + 1 + p] = Math.max(0, Math.min(255, Math.round(noisy)));
    }
  }
  return out;
}

const target = join(dir, 'cifar-10-batches-bin');
mkdirSync(target, { recursive: true });
const perBatch = Math.ceil(trainCount / 5);
for (let b = 1; b <= 5; b++) writeFileSync(join(target, `data_batch_${b}.bin`), records(Math.min(perBatch, trainCount - (b - 1) * perBatch)));
writeFileSync(join(target, 'test_batch.bin'), records(testCount));
writeFileSync(join(target, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
console.log(`make-cifar: ${trainCount} training and ${testCount} test records in ${target}`);
