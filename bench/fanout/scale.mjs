#!/usr/bin/env node
// Scale benchmark: N trivial shell stages (one fan-out of N members and one stage gathering them all);
// measures the runner's cold cost per stage, its peak RSS, and its no-op time beside Snakemake's on an
// equivalent Snakefile, each N in a fresh temporary directory.
//
//   node bench/fanout/scale.mjs [--sizes 100,1000,10000] [--jobs 2] [--noop-runs 3] [--cli bin/pipeline.js]
//
// Cold ms/stage is the wall time of `pipeline run` divided by N, and its CPU time (user + system, with GNU
// time; the stages' own shells included); a stage is `echo KEY > ${out}/x`, so almost all of it is the
// runner (spawn, hashing, commit, scheduling). Snakemake (Debian's `snakemake`) is measured
// when installed, in the same run, with the same number of cores: its no-op over the same N outputs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : fallback;
};
const sizes = option('sizes', '100,1000,10000').split(',').map(Number);
const jobs = Number(option('jobs', '2'));
const noopRuns = Number(option('noop-runs', '3'));
const cli = path.resolve(option('cli', path.join(repo, 'bin/pipeline.js')));
const probe = path.join(repo, 'bench/noop/probe.mjs');
const hasSnakemake = spawnSync('sh', ['-c', 'command -v snakemake'], { stdio: 'ignore' }).status === 0;

const keys = (n) => Array.from({ length: n }, (_, i) => `k${String(i).padStart(5, '0')}`);

function pipelineYaml(n) {
  return `params:
  items: [${keys(n).join(', ')}]
stages:
  work:
    foreach: \${params.items}
    do:
      cmd: echo \${item} > \${out}/x
  gather:
    needs: { all: work }
    cmd: ls \${in.all} | wc -l > \${out}/count
`;
}

function snakefile(n) {
  return `KEYS = [${keys(n)
    .map((key) => `"${key}"`)
    .join(', ')}]
rule all:
    input: "out/count"
rule work:
    output: "out/work/{key}/x"
    shell: "echo {wildcards.key} > {output}"
rule gather:
    input: expand("out/work/{key}/x", key=KEYS)
    output: "out/count"
    shell: "ls out/work | wc -l > {output}"
`;
}

const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Wall seconds, and with GNU time also CPU seconds (user + system, the stages' own included) and peak RSS:
 * on a machine shared with other work, CPU time moves far less with the load than wall time does.
 */
function timed(program, argv, cwd, env = process.env) {
  const [file, args] = gnuTime ? [gnuTime, ['-f', 'LINPATH_TIME %e %U %S %M', program, ...argv]] : [program, argv];
  const start = performance.now();
  const child = spawnSync(file, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const wall = (performance.now() - start) / 1000;
  if (child.status !== 0) throw new Error(`${program} ${argv.join(' ')} exited with ${child.status ?? child.signal}: ${child.stderr?.toString().slice(-2000)}`);
  const line = child.stderr
    .toString()
    .split('\n')
    .reverse()
    .find((text) => text.startsWith('LINPATH_TIME '));
  if (!line) return { wall, cpu: undefined };
  const [, , user, system] = line.split(' ').map(Number);
  return { wall, cpu: user + system };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

const rows = [];
for (const n of sizes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-scale-'));
  try {
    fs.writeFileSync(path.join(dir, 'pipeline.yaml'), pipelineYaml(n));
    const probeOut = path.join(dir, 'probe.json');
    // The runner starts as `pipeline` does, from its bin file, whose first line may give node flags of its
    // own; the probe is preloaded through NODE_OPTIONS.
    const nodeOptions = [process.env.NODE_OPTIONS, `--import=${probe}`].filter(Boolean).join(' ');
    const env = { ...process.env, CI: 'true', NOOP_PROBE_OUT: probeOut, NODE_OPTIONS: nodeOptions };
    const cold = timed(cli, ['run', '--jobs', String(jobs), '--plain'], dir, env);
    const { maxRssBytes } = JSON.parse(fs.readFileSync(probeOut, 'utf8'));
    const noops = Array.from({ length: noopRuns }, () => timed(cli, ['run', '--jobs', String(jobs), '--plain'], dir, { ...process.env, CI: 'true' }));
    let snakeNoops;
    if (hasSnakemake) {
      const snakeDir = path.join(dir, 'snake');
      fs.mkdirSync(snakeDir);
      fs.writeFileSync(path.join(snakeDir, 'Snakefile'), snakefile(n));
      // Its outputs are written here rather than by a cold Snakemake run (minutes at 10,000 jobs), oldest
      // first as a run would leave them; the check below makes sure Snakemake has nothing to do.
      for (const key of keys(n)) {
        fs.mkdirSync(path.join(snakeDir, 'out/work', key), { recursive: true });
        fs.writeFileSync(path.join(snakeDir, 'out/work', key, 'x'), `${key}\n`);
      }
      const later = new Date(Date.now() + 2000);
      fs.writeFileSync(path.join(snakeDir, 'out/count'), `${n}\n`);
      fs.utimesSync(path.join(snakeDir, 'out/count'), later, later);
      const check = spawnSync('snakemake', ['--cores', String(jobs)], { cwd: snakeDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (check.status !== 0 || !/Nothing to be done/.test(check.stdout + check.stderr)) throw new Error(`snakemake would run something: ${(check.stdout + check.stderr).slice(-1500)}`);
      // Taking turns with the engine's no-op runs above would be fairer still; a median of each is what fits in minutes.
      snakeNoops = Array.from({ length: noopRuns }, () => timed('snakemake', ['--cores', String(jobs)], snakeDir));
    }
    const fixed = (value, digits) => (value === undefined ? 'n/a' : +value.toFixed(digits));
    const noop = median(noops.map((run) => run.wall));
    const noopCpu = noops[0].cpu === undefined ? undefined : median(noops.map((run) => run.cpu));
    const snakeNoop = snakeNoops && median(snakeNoops.map((run) => run.wall));
    const snakeCpu = snakeNoops?.[0].cpu === undefined ? undefined : median(snakeNoops.map((run) => run.cpu));
    const row = {
      stages: n + 1,
      cold_s: +cold.wall.toFixed(2),
      cold_ms_per_stage: +((cold.wall * 1000) / (n + 1)).toFixed(2),
      cold_cpu_ms_per_stage: cold.cpu === undefined ? 'n/a' : +((cold.cpu * 1000) / (n + 1)).toFixed(2),
      peak_rss_mb: Math.round(maxRssBytes / 1e6),
      noop_s: fixed(noop, 3),
      noop_cpu_s: fixed(noopCpu, 3),
      snakemake_noop_s: fixed(snakeNoop, 3),
      snakemake_noop_cpu_s: fixed(snakeCpu, 3),
      ratio: snakeNoop === undefined ? 'n/a' : +(noop / snakeNoop).toFixed(2),
      cpu_ratio: snakeCpu === undefined || noopCpu === undefined ? 'n/a' : +(noopCpu / snakeCpu).toFixed(2),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
console.table(rows);
// The same rows as docs/benchmarks.md shows them.
console.log('| stages | cold run (wall) | cold ms/stage (wall / CPU) | peak RSS | no-op (wall / CPU) | Snakemake no-op (wall / CPU) | ratio (wall / CPU) |');
console.log('|---|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(
    `| ${row.stages.toLocaleString('en')} | ${row.cold_s} s | ${row.cold_ms_per_stage} / ${row.cold_cpu_ms_per_stage} | ${row.peak_rss_mb} MB | ${row.noop_s} / ${row.noop_cpu_s} s | ${row.snakemake_noop_s} / ${row.snakemake_noop_cpu_s} s | ${row.ratio} / ${row.cpu_ratio} |`,
  );
}
const load = os
  .loadavg()
  .map((value) => value.toFixed(2))
  .join(' ');
console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, --jobs ${jobs}, no-op = median of ${noopRuns}, load ${load}, ${new Date().toISOString()}`);
