#!/usr/bin/env node
// Sweep benchmark: times our sweep stage and the PyTorch loop (torch_sweep.py) on the same checkpoint pair, side by side.
//
//   node bench/sweep/run.mjs [--model lenet_300_100|conv_bn|all] [--points 100] [--train DIR --iteration N]
//                            [--data DIR] [--python PATH] [--threads 2,1] [--batch 1000] [--workers N] [--repeat N] [--json FILE]
//
// --repeat N runs each side N times (alternating) and keeps each side's fastest run: on a shared machine the best
// run is the one least disturbed by other work. --threads takes a list: PyTorch runs with each thread count and the
// fastest is the reference for the ratio (on a busy machine, 2 OpenMP threads can be far slower than 1).
//
// Without --train it writes a random checkpoint pair in the train stage's layout. PyTorch's speed does not depend on the
// values; LeNet's sweep does (the more first-layer units change sign between the ends, the more host work), and two
// independent random networks are its worst case: half the units switch. Pass --train for a real run's checkpoints.
// Without --data it runs the fetch-data stage for MNIST into a temporary folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MODELS, writeSyntheticTrain } from './checkpoints.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const { values: options } = parseArgs({
  options: {
    model: { type: 'string', default: 'all' },
    points: { type: 'string', default: '100' },
    train: { type: 'string' },
    iteration: { type: 'string' },
    data: { type: 'string' },
    python: { type: 'string', default: existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3' },
    threads: { type: 'string', default: '2,1' },
    batch: { type: 'string', default: '1000' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    workers: { type: 'string' },
  },
});

const models = options.model === 'all' ? Object.keys(MODELS) : [options.model];
for (const m of models) if (!MODELS[m]) usage(`--model ${m}: expected one of ${Object.keys(MODELS).join(', ')}, all`);
if (options.train && (models.length !== 1 || options.iteration === undefined)) usage('--train DIR needs --model NAME and --iteration N');
const points = Number(options.points);
const threadCounts = options.threads.split(',').map(Number);
if (threadCounts.some((t) => !Number.isInteger(t) || t < 1)) usage(`--threads ${options.threads}: expected a list of positive integers`);

const work = await mkdtemp(path.join(tmpdir(), 'linpath-bench-sweep-'));
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
try {
  const data = options.data ?? fetchMnist(path.join(work, 'mnist'));
  const results = [];
  for (const model of models) {
    const train = options.train ?? (await writeSyntheticTrain(path.join(work, model), model));
    const trainJson = JSON.parse(await readFile(path.join(train, 'train.json'), 'utf8'));
    const iteration = Number(options.iteration ?? 0);
    const start = path.join(train, 'checkpoints', `it${iteration}.safetensors`);
    const end = path.join(train, 'checkpoints', `it${trainJson.final_iteration}.safetensors`);
    const torchBest = new Map();
    let ours;
    for (let round = 0; round < Math.max(1, Number(options.repeat)); round++) {
      for (const threads of threadCounts) {
        const t = runTorch(start, end, data, threads);
        const best = torchBest.get(threads);
        if (best === undefined || (!t.missing && !(t.loop_s >= best.loop_s))) torchBest.set(threads, t);
      }
      const o = runOurs(train, data, iteration, path.join(work, `${model}-sweep-${round}`));
      if (ours === undefined || (!o.missing && !(o.wall >= ours.wall))) ours = o;
    }
    const torchRuns = [...torchBest.values()];
    const torch = torchRuns.filter((t) => !t.missing).sort((a, b) => b.points_per_s - a.points_per_s)[0] ?? torchRuns[0];
    const result = summarize(model, torch, ours);
    result.torch_by_threads = Object.fromEntries(torchRuns.filter((t) => !t.missing).map((t) => [t.threads, { points_per_s: t.points_per_s, loop_s: t.loop_s, gflops: t.gflops }]));
    if (!torch.missing && !ours.missing) result.agreement = agreement(await sweepRows(ours.out), torch.rows);
    results.push(result);
  }
  printTable(results);
  if (options.json) await writeFile(options.json, `${JSON.stringify(results, null, 2)}\n`);
} finally {
  if (!options.keep) await rm(work, { recursive: true, force: true });
}

function usage(message) {
  console.error(`bench/sweep/run.mjs: ${message}`);
  process.exit(2);
}

function fetchMnist(out) {
  execFileSync('node', ['--import', 'tsx', 'stages/fetch-data.ts', '--dataset', 'mnist', '--out', out], { cwd: root, stdio: 'inherit' });
  return out;
}

/** Runs a command under /usr/bin/time (when present) to learn its peak RSS; returns stdout, stderr, wall seconds, peak MB. */
function timed(command, args, env = {}) {
  const began = process.hrtime.bigint();
  const argv = timeBin ? ['-f', 'PEAK_RSS_KB=%M', command, ...args] : args;
  const child = spawnSync(timeBin ?? command, argv, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - began) / 1e9;
  const peak = /PEAK_RSS_KB=(\d+)/.exec(child.stderr ?? '');
  return { status: child.status, stdout: child.stdout ?? '', stderr: (child.stderr ?? '').replace(/PEAK_RSS_KB=\d+\n?/, ''), wall, peakMB: peak ? Number(peak[1]) / 1024 : undefined };
}

function runTorch(start, end, data, threadCount) {
  const threads = String(threadCount);
  const run = timed(options.python, ['bench/sweep/torch_sweep.py', '--start', start, '--end', end, '--data', data, '--points', String(points), '--threads', threads, '--batch', options.batch], {
    OMP_NUM_THREADS: threads,
    OPENBLAS_NUM_THREADS: threads,
    MKL_NUM_THREADS: threads,
  });
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  let parsed;
  try {
    parsed = JSON.parse(last);
  } catch {
    return { missing: `torch_sweep.py failed (exit ${run.status}): ${run.stderr.trim().split('\n').at(-1) ?? ''}` };
  }
  if (parsed.error) return { missing: parsed.error };
  return { ...parsed, wall: run.wall, peakMB: run.peakMB };
}

function runOurs(train, data, iteration, out) {
  if (!existsSync(path.join(root, 'stages', 'sweep.ts'))) return { missing: 'stages/sweep.ts does not exist yet' };
  const args = ['--import', 'tsx', 'stages/sweep.ts', '--train', train, '--data', data, '--iteration', String(iteration), '--points', String(points), '--out', out];
  if (options.workers) args.push('--workers', options.workers);
  const run = timed('node', args);
  if (run.status !== 0) return { missing: `stages/sweep.ts exited ${run.status}: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ')}` };
  return { wall: run.wall, peakMB: run.peakMB, out, stdout: run.stdout };
}

async function sweepRows(out) {
  return JSON.parse(await readFile(path.join(out, 'sweep.json'), 'utf8')).rows;
}

function summarize(model, torch, ours) {
  const result = { model, points, torch: {}, ours: {} };
  if (torch.missing) result.torch.missing = torch.missing;
  else {
    result.torch = {
      version: torch.torch,
      threads: torch.threads,
      batch: Number(options.batch),
      loop_s: torch.loop_s,
      process_s: torch.wall,
      points_per_s: torch.points_per_s,
      gflops: torch.gflops,
      peak_rss_mb: torch.peakMB,
    };
    result.multiply_adds_per_example = torch.multiply_adds_per_example;
  }
  if (ours.missing) result.ours.missing = ours.missing;
  else {
    // The whole stage process is timed (startup, data, checkpoints included), so the ratio is conservative for us.
    result.ours = { process_s: ours.wall, points_per_s: points / ours.wall, peak_rss_mb: ours.peakMB };
    // The stage also reports its own sweep time ("N points in S s"), which leaves out process start, backend and data loading.
    const loop = /(\d+) points in ([\d.]+) s/.exec(ours.stdout);
    if (loop) Object.assign(result.ours, { loop_s: Number(loop[2]), loop_points_per_s: points / Number(loop[2]) });
    if (result.multiply_adds_per_example) result.ours.naive_gflops = (2 * result.multiply_adds_per_example * 10000 * points) / (result.ours.loop_s ?? ours.wall) / 1e9;
    const backend = /backend (\S+) \(device/.exec(ours.stdout)?.[1];
    if (backend) result.ours.backend = backend;
    const workers = /points\/s, (\d+) worker/.exec(ours.stdout)?.[1];
    result.ours.workers = workers ? Number(workers) : 1;
  }
  if (!torch.missing && !ours.missing) {
    // Whole stage process against the torch loop alone: conservative for us.
    result.speedup_vs_torch_loop = result.ours.points_per_s / result.torch.points_per_s;
    if (result.ours.loop_points_per_s) result.loop_speedup = result.ours.loop_points_per_s / result.torch.points_per_s;
  }
  return result;
}

/** Largest differences between the two curves (the same weights, so they should match to float32 rounding). */
function agreement(ours, torch) {
  if (ours.length !== torch.length) return `different point counts (${ours.length} vs ${torch.length})`;
  let loss = 0;
  let error = 0;
  ours.forEach((row, i) => {
    loss = Math.max(loss, Math.abs(row.test_loss - torch[i].test_loss) / Math.max(Math.abs(torch[i].test_loss), 1e-12));
    error = Math.max(error, Math.abs(row.test_error - torch[i].test_error));
  });
  return `max relative loss difference ${loss.toExponential(1)}, max error difference ${error.toExponential(1)}`;
}

function printTable(results) {
  const fmt = (v, d = 2) => (typeof v === 'number' ? v.toFixed(d) : '—');
  console.log(`\nsweep benchmark: ${points} points × 10,000 MNIST test images (machine fp32 peak ≈ 100 GFLOP/s per core)`);
  for (const r of results) {
    console.log(`\n${r.model} (${r.multiply_adds_per_example ?? '?'} multiply-adds per image)`);
    if (!r.torch.missing && Object.keys(r.torch_by_threads).length > 1) {
      console.log(
        `  pytorch by threads: ${Object.entries(r.torch_by_threads)
          .map(([t, v]) => `${t}: ${fmt(v.points_per_s)} points/s (${fmt(v.gflops, 1)} GFLOP/s)`)
          .join(', ')}; fastest below`,
      );
    }
    if (r.torch.missing) console.log(`  pytorch : not measured — ${r.torch.missing}`);
    else
      console.log(
        `  pytorch : ${fmt(r.torch.points_per_s)} points/s (loop ${fmt(r.torch.loop_s, 1)} s, process ${fmt(r.torch.process_s, 1)} s, ${fmt(r.torch.gflops, 1)} GFLOP/s, torch ${r.torch.version}, ${r.torch.threads} threads, batch ${r.torch.batch}, peak RSS ${fmt(r.torch.peak_rss_mb, 0)} MB)`,
      );
    if (r.ours.missing) console.log(`  linpath : not measured — ${r.ours.missing}`);
    else
      console.log(
        `  linpath : ${fmt(r.ours.points_per_s)} points/s whole stage (${fmt(r.ours.process_s, 1)} s), ${fmt(r.ours.loop_points_per_s)} points/s in its sweep loop (${fmt(r.ours.loop_s, 1)} s), ${fmt(r.ours.naive_gflops, 1)} naive-equivalent GFLOP/s, backend ${r.ours.backend ?? '?'} × ${r.ours.workers} worker(s), peak RSS ${fmt(r.ours.peak_rss_mb, 0)} MB`,
      );
    if (r.speedup_vs_torch_loop !== undefined) {
      console.log(`  ratio   : linpath whole stage = ${fmt(r.speedup_vs_torch_loop)}× the PyTorch loop; loop vs loop ${fmt(r.loop_speedup)}×`);
      console.log(`  check   : ${r.agreement}`);
    }
  }
}
