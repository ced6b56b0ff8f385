// Test helper: starts the single-node Slurm cluster of scripts/slurm for a test file and lets it go afterwards.
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

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

export async function startLocalCluster(holder: string, options: StartOptions = {}): Promise<LocalCluster> {
  const args = ['--holder', holder, ...(options.accounting ? ['--accounting'] : [])];
  const env = options.minJobAge === undefined ? {} : { LINPATH_SLURM_MIN_JOB_AGE: String(options.minJobAge) };
  const started = await execa(path.join(scripts, 'start.sh'), args, { reject: false, all: true, env });
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
    },
  };
}
