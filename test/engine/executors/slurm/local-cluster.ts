// Test helper: starts the single-node Slurm cluster of scripts/slurm for a test file and lets it go afterwards.
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processAlive } from '../../../../src/engine/lock/run-lock.js';

const scripts = path.resolve(import.meta.dirname, '../../../../scripts/slurm');
const stateDir = process.env.LINPATH_SLURM_STATE ?? '/tmp/linpath-slurm';

function has(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/** Why the Slurm tests cannot run here, or undefined when start.sh can install and start (or find) a cluster. */
export function whySlurmUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'Slurm tests need Linux';
  if (has('sinfo') && has('sbatch')) return undefined;
  const root = process.getuid?.() === 0 || (has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0);
  if (!root) return 'Slurm is not installed and installing it needs root (or password-less sudo)';
  if (!has('apt-get')) return 'Slurm is not installed and there is no apt-get to install it';
  return undefined;
}

export interface LocalCluster {
  /** Environment for Slurm's commands (SLURM_CONF when start.sh wrote the config). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Also start MariaDB and slurmdbd (start.sh --accounting). */
  accounting?: boolean;
  /** Seconds the controller remembers finished jobs, when this call writes the config. */
  minJobAge?: number;
}

/**
 * The cluster has two GPUs: test files that count on them must not share it at the same time (vitest runs
 * files in parallel). One holder at a time, waiting its turn; a lock left by a dead test process is taken over.
 */
async function takeClusterTurn(holder: string): Promise<() => void> {
  const file = path.join(tmpdir(), 'linpath-slurm-tests.lock');
  const me = `${process.pid} ${holder}`;
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      writeFileSync(file, me, { flag: 'wx' });
      return () => {
        if (readFileSync(file, 'utf8') === me) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner = '';
    try {
      owner = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (!processAlive(Number(owner.split(' ')[0]))) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the Slurm test cluster stayed busy for 10 minutes (held by ${owner})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function startLocalCluster(holder: string, options: StartOptions = {}): Promise<LocalCluster> {
  const release = await takeClusterTurn(holder);
  const args = ['--holder', holder, ...(options.accounting ? ['--accounting'] : [])];
  const env = options.minJobAge === undefined ? {} : { LINPATH_SLURM_MIN_JOB_AGE: String(options.minJobAge) };
  const started = await execa(path.join(scripts, 'start.sh'), args, { reject: false, all: true, env });
  if (started.exitCode !== 0) release();
  if (started.exitCode !== 0) throw new Error(`scripts/slurm/start.sh failed (exit ${started.exitCode}):\n${started.all}`);
  const clientEnv: Record<string, string> = {};
  try {
    const conf = /^SLURM_CONF=(.*)$/m.exec(readFileSync(path.join(stateDir, 'state.env'), 'utf8'))?.[1];
    if (conf) clientEnv.SLURM_CONF = conf;
  } catch {
    // A cluster that was already running without start.sh: its clients need no help.
  }
  return {
    env: clientEnv,
    async stop() {
      await execa(path.join(scripts, 'stop.sh'), ['--holder', holder], { reject: false });
      release();
    },
  };
}
