// Wall-time measurement of commands: hyperfine when installed (and not asked to interleave), else interleaved child_process runs timed with performance.now.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export function hasProgram(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function hyperfineVersion() {
  if (!hasProgram('hyperfine')) return undefined;
  return execFileSync('hyperfine', ['--version'], { encoding: 'utf8' }).trim();
}

/** Runs every command `runs` times after `warmup` runs; returns seconds per run for each command. */
function withHyperfine(commands, { runs, warmup, cwd }) {
  const exported = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'noop-hf-')), 'times.json');
  try {
    execFileSync('hyperfine', ['--style', 'none', '-N', '--warmup', String(warmup), '--runs', String(runs), '--export-json', exported, ...commands], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    const { results } = JSON.parse(fs.readFileSync(exported, 'utf8'));
    return results.map((result) => result.times);
  } finally {
    fs.rmSync(path.dirname(exported), { recursive: true, force: true });
  }
}

/** Same contract without hyperfine: the commands take turns, so a burst of load hits all of them alike. */
function inProcess(commands, { runs, warmup, cwd }) {
  const times = commands.map(() => []);
  for (let i = 0; i < warmup + runs; i++) {
    commands.forEach((command, index) => {
      const [program, ...args] = command.split(' ');
      const start = performance.now();
      const child = spawnSync(program, args, { cwd, stdio: 'ignore' });
      const seconds = (performance.now() - start) / 1000;
      if (child.status !== 0) throw new Error(`"${command}" exited with ${child.status ?? child.signal}`);
      if (i >= warmup) times[index].push(seconds);
    });
  }
  return times;
}

/** Commands are plain words separated by single spaces (no quoting), so both timers run them without a shell. */
export function timeCommands(commands, options) {
  return hasProgram('hyperfine') && !options.interleave ? withHyperfine(commands, options) : inProcess(commands, options);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
