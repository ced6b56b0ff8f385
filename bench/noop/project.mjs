// Runs the engine and Snakemake on a generated project once, checking what they did, and with the memory/read probe attached.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const probe = fileURLToPath(new URL('./probe.mjs', import.meta.url));

/** The no-op command exactly as timed: words separated by single spaces, runnable without a shell. */
export function engineCommand(engine, project) {
  return `node ${engine} -f ${path.join(project, 'pipeline.yaml')} run --jobs 2`;
}

export function snakemakeCommand(project) {
  return `snakemake --cores 2 --snakefile ${path.join(project, 'Snakefile')} --directory ${project}`;
}

function run(command, env = {}) {
  const [program, ...args] = command.split(' ');
  const start = performance.now();
  const child = spawnSync(program, args, { encoding: 'utf8', env: { ...process.env, CI: 'true', ...env }, maxBuffer: 64 << 20 });
  const seconds = (performance.now() - start) / 1000;
  const output = `${child.stdout}${child.stderr}`;
  if (child.status !== 0) {
    // The engine prints the failure before a long list of skipped stages: show it first.
    const failures = output
      .split('\n')
      .filter((line) => /FAILED|error/i.test(line))
      .slice(0, 5);
    throw new Error(`"${command}" exited with ${child.status ?? child.signal}:\n${[...failures, '…', output.slice(-1000)].join('\n')}`);
  }
  return { seconds, output };
}

/** One engine run with the probe preloaded; checks the run/fresh counts the engine prints against what is expected. */
export function runEngine(engine, project, expect) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'noop-probe-')), 'probe.json');
  try {
    const command = engineCommand(engine, project).replace(/^node /, `node --import ${pathToFileURL(probe).href} `);
    const { seconds, output } = run(command, { NOOP_PROBE_OUT: out });
    const summary = output.match(/(\d+) ran, (\d+) fresh/);
    if (!summary || Number(summary[1]) !== expect.ran || Number(summary[2]) !== expect.fresh) {
      throw new Error(`expected "${expect.ran} ran, ${expect.fresh} fresh" from the engine in ${project}, got:\n${output.slice(-2000)}`);
    }
    return { seconds, ...JSON.parse(fs.readFileSync(out, 'utf8')) };
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

/** One Snakemake run; a no-op must say so, or the timing would measure work. */
export function runSnakemake(project, { noop }) {
  const { seconds, output } = run(snakemakeCommand(project));
  if (noop && !output.includes('Nothing to be done')) throw new Error(`Snakemake did work on its no-op run in ${project}:\n${output.slice(-2000)}`);
  return { seconds };
}

/** A file of `bytes` bytes written in 8 MiB chunks of one random block (content does not change hashing speed). */
export function writeBigFile(file, bytes) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const block = Buffer.alloc(8 << 20);
  for (let i = 0; i < block.length; i += 65536) block.set(crypto.getRandomValues(new Uint8Array(65536)), i);
  const fd = fs.openSync(file, 'w');
  try {
    for (let written = 0; written < bytes; written += block.length) {
      fs.writeSync(fd, block, 0, Math.min(block.length, bytes - written));
    }
  } finally {
    fs.closeSync(fd);
  }
}
