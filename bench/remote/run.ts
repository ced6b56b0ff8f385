// Measures the remote cache on loopback: a fresh clone's run from a filled nginx remote, push/pull of large blobs, a no-op run with and without a remote, peak RSS while pulling.
// Run: node --import tsx bench/remote/run.ts   (BENCH_COMMIT: the commit cloned, default HEAD; BENCH_SOURCE_CACHE: a cache holding that commit's locked entries, default ./cache; BENCH_DIR: scratch, default /tmp/linpath-bench-remote)
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginx } from '../../test/engine/remote/servers/nginx.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = process.env.BENCH_DIR ?? '/tmp/linpath-bench-remote';
const commit = process.env.BENCH_COMMIT ?? 'HEAD';
const sourceCache = path.resolve(process.env.BENCH_SOURCE_CACHE ?? path.join(repo, 'cache'));
const largeFiles = Number(process.env.BENCH_LARGE_FILES ?? 4);
const largeMiB = Number(process.env.BENCH_LARGE_MIB ?? 256);
const noopRounds = Number(process.env.BENCH_NOOP_ROUNDS ?? 15);

interface Ran {
  seconds: number;
  code: number;
  stdout: string;
  stderr: string;
  maxRssMiB?: number;
}

/** Runs a command without blocking this process (nginx is served from elsewhere, but the timing must not stall). */
function sh(command: string, cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { cwd, env: { ...process.env, CI: 'true', ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({ seconds: (performance.now() - started) / 1000, code: error ? Number(error.code ?? 1) : 0, stdout, stderr, maxRssMiB: rss ? Number(rss[1]) / 1024 : undefined });
    });
  });
}

async function must(command: string, cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  const result = await sh(command, cwd, env);
  if (result.code !== 0) throw new Error(`${command} (in ${cwd}) exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

const pipeline = 'node bin/pipeline.js';
const timed = (command: string) => `/usr/bin/time -v ${command}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A clone of this repository at `at`, with node_modules hard-linked from here and the CLI built from HEAD. */
async function cloneAt(name: string, at: string, dist?: string): Promise<string> {
  const dir = path.join(work, name);
  await must(`git clone -q ${JSON.stringify(repo)} ${JSON.stringify(dir)}`, work);
  await must(`git checkout -q ${at}`, dir);
  await must(`cp -al ${JSON.stringify(path.join(repo, 'node_modules'))} node_modules`, dir);
  if (dist) await must(`cp -a ${JSON.stringify(dist)} dist`, dir);
  else await must('node scripts/bundle.mjs', dir);
  return dir;
}

const mib = (bytes: number) => bytes / (1 << 20);

async function main(): Promise<void> {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const cli = await cloneAt('cli', 'HEAD');
  const dist = path.join(cli, 'dist');
  const nginx = await startNginx();
  const loadAtStart = os.loadavg().map((load) => Math.round(load * 10) / 10);
  const results: Record<string, unknown> = {
    loadAverageAtStart: loadAtStart,
    commit: (await must(`git rev-parse --short ${commit}`, repo)).stdout.trim(),
    cli: (await must('git rev-parse --short HEAD', cli)).stdout.trim(),
  };
  try {
    // 1. Fill the remote with the default pipeline's locked entries, read from an existing cache.
    const filler = await cloneAt('filler', commit, dist);
    const fill = await must(`${pipeline} push --remote ${nginx.url}`, filler, { PIPELINE_CACHE_DIR: sourceCache });
    results.fill = { seconds: fill.seconds, summary: fill.stdout.trim().split('\n').at(-1) };

    // 2. A fresh clone runs the default pipeline from the remote.
    const fresh = await cloneAt('fresh', commit, dist);
    const run = await must(timed(`${pipeline} run`), fresh, { PIPELINE_REMOTE: nginx.url });
    const dirty = (await must('git status --porcelain --untracked-files=all', fresh)).stdout.trim();
    results.freshRun = { seconds: run.seconds, maxRssMiB: run.maxRssMiB, summary: run.stderr.split('\n').find((line) => /\d+ ran, /.test(line)), gitStatusClean: dirty === '', dirty };

    // 3. Peak RSS (and time) pulling the same ~55 MB into another fresh clone.
    const pulled = await cloneAt('pulled', commit, dist);
    const pull = await must(timed(`${pipeline} pull`), pulled, { PIPELINE_REMOTE: nginx.url });
    results.pullDefault = { seconds: pull.seconds, maxRssMiB: pull.maxRssMiB, summary: pull.stdout.trim().split('\n').at(-1) };

    // 4. No-op runs with and without a remote configured, alternated; nginx must see no request.
    const before = nginx.requests();
    const withRemote: number[] = [];
    const without: number[] = [];
    await must(`${pipeline} run`, fresh);
    for (let round = 0; round < noopRounds; round++) {
      without.push((await must(`${pipeline} run`, fresh)).seconds);
      withRemote.push((await must(`${pipeline} run`, fresh, { PIPELINE_REMOTE: nginx.url })).seconds);
    }
    results.noop = {
      rounds: noopRounds,
      medianWithoutS: median(without),
      medianWithRemoteS: median(withRemote),
      ratio: median(withRemote) / median(without),
      requestsDuringNoop: nginx.requests() - before,
    };

    // 5. Large blobs: one stage writing several files of random bytes; push from it, pull into a clone.
    const large = path.join(work, 'large');
    fs.mkdirSync(large);
    const files = Array.from({ length: largeFiles }, (_, index) => `head -c ${largeMiB << 20} /dev/urandom > \${out}/blob${index}.bin`).join(' && ');
    fs.writeFileSync(path.join(large, 'pipeline.yaml'), `stages:\n  big:\n    cmd: "${files}"\n`);
    const bin = path.join(cli, 'bin/pipeline.js');
    await must(`node ${bin} run --no-push`, large);
    const bytes = largeFiles * (largeMiB << 20);
    const push = await must(timed(`node ${bin} push --remote ${nginx.url}`), large);
    const largeClone = path.join(work, 'large-clone');
    fs.mkdirSync(largeClone);
    for (const file of ['pipeline.yaml', 'pipeline.lock']) fs.copyFileSync(path.join(large, file), path.join(largeClone, file));
    const pullLarge = await must(timed(`node ${bin} pull --remote ${nginx.url}`), largeClone);
    // What this machine manages at the same moment without linpath: curl against the same nginx, one large file each way.
    const sample = path.join(large, 'cache/entries', fs.readdirSync(path.join(large, 'cache/entries'))[0], 'out/blob0.bin');
    const curlPut = await must(`curl -sf -T ${JSON.stringify(sample)} ${nginx.url}baseline.bin`, work);
    const curlGet = await must(`curl -sf -o /dev/null ${nginx.url}baseline.bin`, work);
    results.large = {
      curlBaseline: { putMibPerS: largeMiB / curlPut.seconds, getMibPerS: largeMiB / curlGet.seconds },
      files: largeFiles,
      mibEach: largeMiB,
      push: { seconds: push.seconds, mibPerS: mib(bytes) / push.seconds, maxRssMiB: push.maxRssMiB },
      pull: { seconds: pullLarge.seconds, mibPerS: mib(bytes) / pullLarge.seconds, maxRssMiB: pullLarge.maxRssMiB },
    };
  } finally {
    await nginx.stop();
  }
  results.machine = { cores: os.availableParallelism(), loadAverageAtEnd: os.loadavg().map((load) => Math.round(load * 10) / 10) };
  fs.writeFileSync(path.join(work, 'results.json'), JSON.stringify(results, null, 1));
  console.log(JSON.stringify(results, null, 1));
}

await main();
