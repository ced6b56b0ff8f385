// Benchmark of the engine's no-op `pipeline run` on a 31-stage pipeline shaped like the real one, against Snakemake, with and without a 1 GB dependency.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { STAGE_COUNT, generateProject } from './generate.mjs';
import { engineCommand, runEngine, runSnakemake, snakemakeCommand, writeBigFile } from './project.mjs';
import { formatReport, writeDocsSection } from './report.mjs';
import { hasProgram, hyperfineVersion, median, timeCommands } from './timing.mjs';

const USAGE = `usage: node bench/noop/run.mjs [--runs N] [--rounds N] [--warmup N] [--interleave] [--no-big] [--engine PATH] [--keep] [--write-docs]
  --runs N       timed no-op runs per command per round (default 5)
  --rounds N     rounds; each times every command again, so ratios are taken between runs close in time (default 8)
  --warmup N     untimed runs of each command before each round (default 1)
  --interleave   time in-process, the commands taking turns run by run (fairer ratios under changing load)
  --no-big       skip the 1 GiB dependency measurements
  --engine PATH  the pipeline CLI to measure (default: this checkout's bin/pipeline.js)
  --keep         keep the generated projects (the 1 GiB file is deleted regardless)
  --write-docs   also replace the "Engine no-op" section of docs/benchmarks.md with the results`;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const BIG_BYTES = 1 << 30;

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        runs: { type: 'string', default: '5' },
        rounds: { type: 'string', default: '8' },
        warmup: { type: 'string', default: '1' },
        interleave: { type: 'boolean', default: false },
        'no-big': { type: 'boolean', default: false },
        engine: { type: 'string', default: path.join(repoRoot, 'bin', 'pipeline.js') },
        keep: { type: 'boolean', default: false },
        'write-docs': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const counts = {};
  for (const name of ['runs', 'rounds', 'warmup']) {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < (name === 'warmup' ? 0 : 1)) {
      console.error(`--${name}: expected a whole number, got "${values[name]}"\n${USAGE}`);
      process.exit(2);
    }
    counts[name] = value;
  }
  const engine = path.resolve(values.engine);
  if (!fs.existsSync(engine)) {
    console.error(`--engine: ${engine} does not exist (run \`npm run build\` first?)`);
    process.exit(2);
  }
  return { ...counts, interleave: values.interleave, big: !values['no-big'], engine, keep: values.keep, writeDocs: values['write-docs'] };
}

function environment() {
  const git = (args) => {
    try {
      return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    cpus: `${os.availableParallelism()} × ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    load: os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' '),
    commit: git(['rev-parse', '--short', 'HEAD']),
    // Only a working git knows; a copy of the tree without .git (another machine) reports nothing.
    engineDirty: !['', 'unknown'].includes(git(['status', '--porcelain', '--', 'src/engine', 'src/cli.ts'])),
    timer: undefined,
    snakemake: hasProgram('snakemake') ? execFileSync('snakemake', ['--version'], { encoding: 'utf8' }).trim() : undefined,
  };
}

function summarize(rounds) {
  const all = rounds.flat();
  const medians = rounds.map(median);
  return { median: median(all), min: Math.min(...all), max: Math.max(...all), runs: all.length, roundMedians: medians };
}

function main() {
  const options = parseOptions();
  const env = environment();
  const hyperfine = hyperfineVersion();
  env.timer = hyperfine && !options.interleave ? hyperfine : `in-process, commands taking turns (child_process + performance.now${hyperfine ? '' : '; hyperfine is not installed'})`;
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-noop-'));
  const plain = path.join(workdir, 'plain');
  const big = path.join(workdir, 'big');
  const bigFile = path.join(big, 'data', 'big.bin');
  const cleanup = () => {
    fs.rmSync(options.keep ? bigFile : workdir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    console.error(`generating ${STAGE_COUNT}-stage projects in ${workdir}`);
    generateProject(plain);
    const cold = { plain: runEngine(options.engine, plain, { ran: STAGE_COUNT, fresh: 0 }) };
    const noopProbe = { plain: runEngine(options.engine, plain, { ran: 0, fresh: STAGE_COUNT }) };
    const commands = [
      { label: 'node -e 0 (Node start-up alone)', command: 'node -e 0' },
      { label: 'engine no-op', key: 'engine', command: engineCommand(options.engine, plain) },
    ];

    if (options.big) {
      generateProject(big, { extraFetchDeps: ['data/big.bin'] });
      console.error('writing the 1 GiB dependency');
      writeBigFile(bigFile, BIG_BYTES);
      cold.big = runEngine(options.engine, big, { ran: STAGE_COUNT, fresh: 0 });
      noopProbe.big = runEngine(options.engine, big, { ran: 0, fresh: STAGE_COUNT });
      commands.push({ label: 'engine no-op, + 1 GiB dep', key: 'big', command: engineCommand(options.engine, big) });
    }
    if (env.snakemake) {
      runSnakemake(plain, { noop: false });
      runSnakemake(plain, { noop: true });
      commands.push({ label: `snakemake ${env.snakemake} no-op`, key: 'snakemake', command: snakemakeCommand(plain) });
    }

    const perRound = commands.map(() => []);
    for (let round = 0; round < options.rounds; round++) {
      console.error(`round ${round + 1}/${options.rounds}: ${options.runs} runs of ${commands.length} commands (load ${os.loadavg()[0].toFixed(2)})`);
      const times = timeCommands(
        commands.map((c) => c.command),
        { runs: options.runs, warmup: options.warmup, interleave: options.interleave, cwd: workdir },
      );
      times.forEach((seconds, index) => perRound[index].push(seconds));
    }
    const results = commands.map((c, index) => ({ ...c, ...summarize(perRound[index]) }));
    env.loadAfter = os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');

    const report = formatReport({ env, options, results, cold, noopProbe, stageCount: STAGE_COUNT, bigBytes: BIG_BYTES });
    console.log(report.table);
    if (options.writeDocs) {
      const docs = path.join(repoRoot, 'docs', 'benchmarks.md');
      writeDocsSection(docs, report.section);
      console.error(`wrote the "Engine no-op" section of ${docs}`);
    }
  } finally {
    cleanup();
  }
}

try {
  main();
} catch (error) {
  // A failed engine or Snakemake run is a result to read, not a crash: its message, no stack trace.
  console.error(`bench/noop: ${error.message}`);
  process.exit(1);
}
