// Runs one stage command through the shell in its own process group, its stdout and stderr into one log file.
import fs from 'node:fs';
import type { Options } from 'execa';

export interface StageCommand {
  command: string;
  cwd: string;
  env: Record<string, string>;
  logFile: string;
}

export interface StageExit {
  exitCode?: number;
  signal?: string;
  /** The executor's own account of a failure (e.g. Slurm's TIMEOUT), when it has one. */
  why?: string;
}

export interface RunningStage {
  pid?: number;
  exit: Promise<StageExit>;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`. */
  kill(graceMs?: number): Promise<void>;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** execa is imported on the first start: a no-op run never pays for loading it. */
export async function startLocal(stage: StageCommand): Promise<RunningStage> {
  const { execa } = await import('execa');
  const options: Options = {
    shell: '/bin/sh',
    cwd: stage.cwd,
    env: stage.env,
    extendEnv: true,
    // A group of its own, so Ctrl-C reaches every process the stage started, not just the shell.
    detached: true,
    stdin: 'ignore',
    // Two O_APPEND descriptors on one file: every write lands at the end, so the streams interleave in order.
    stdout: { file: stage.logFile, append: true },
    stderr: { file: stage.logFile, append: true },
    reject: false,
    cleanup: false,
  };
  const child = execa(stage.command, options);
  let finished = false;
  const exit = child.then(
    (result) => {
      finished = true;
      return { exitCode: result.exitCode, signal: result.signal ?? undefined };
    },
    (error: unknown) => {
      finished = true;
      fs.appendFileSync(stage.logFile, `\npipeline: could not start the command: ${(error as Error).message}\n`);
      return { exitCode: 127 };
    },
  );
  return {
    pid: child.pid,
    exit,
    async kill(graceMs = 3000) {
      if (child.pid === undefined || finished) return;
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
      signalGroup(child.pid, 'SIGKILL'); // Stragglers that ignored SIGTERM after the shell exited.
    },
  };
}

/** The last lines of a log, for the failure message. */
export function tailOfLog(file: string, lines = 20): string[] {
  try {
    const text = fs.readFileSync(file, 'utf8').replace(/\n+$/, '');
    return text === '' ? [] : text.split('\n').slice(-lines);
  } catch {
    return [];
  }
}
