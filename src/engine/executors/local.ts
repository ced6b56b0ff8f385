// Runs one stage command through the shell in its own process group, which ends with the shell; its output goes to one log file.
import fs from 'node:fs';
import type { Options } from 'execa';
import { forgetStageGroup, recordStageGroup } from '../execution/orphans.js';

export interface StageCommand {
  command: string;
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  /** The stage's staging dir: where its process group is noted while it runs, for clean-up after a kill -9. */
  workDir?: string;
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
  const log = fs.openSync(stage.logFile, 'a');
  // execa takes any file descriptor at run time; its types spell out only 3 to 9.
  const logFd = log as unknown as 3;
  const options: Options = {
    shell: '/bin/sh',
    cwd: stage.cwd,
    env: stage.env,
    extendEnv: true,
    // A group of its own, so Ctrl-C reaches every process the stage started, not just the shell.
    detached: true,
    stdin: 'ignore',
    // One O_APPEND descriptor for both streams, opened here rather than by execa: every write lands at
    // the end in order, and a command that cannot start leaves no stream opening a file after the fact.
    stdout: logFd,
    stderr: logFd,
    reject: false,
    cleanup: false,
  };
  let child: ReturnType<typeof execa>;
  try {
    child = execa(stage.command, options);
  } finally {
    fs.closeSync(log); // The child has its own copies (or never started).
  }
  const pid = child.pid;
  if (pid !== undefined && stage.workDir !== undefined) recordStageGroup(stage.workDir, pid);
  let finished = false;
  /**
   * A stage ends when its shell does. What it left running in its group (`cmd &`, a server never stopped)
   * would keep writing into an output that is being hashed and committed, and would outlive the run: kill it.
   */
  const endGroup = () => {
    if (pid === undefined) return;
    signalGroup(pid, 'SIGKILL');
    if (stage.workDir !== undefined) forgetStageGroup(stage.workDir);
  };
  const exit = child.then(
    (result) => {
      finished = true;
      endGroup();
      if (result.exitCode === undefined && !result.signal) {
        // The shell never ran (E2BIG, EAGAIN, …): say why rather than "exit code undefined".
        const why = `could not start the command (${(result as { code?: string }).code ?? result.shortMessage ?? 'unknown error'})`;
        try {
          fs.appendFileSync(stage.logFile, `pipeline: ${why}\n`);
        } catch {
          // The log's directory may be gone already.
        }
        return { exitCode: 127, why };
      }
      return { exitCode: result.exitCode, signal: result.signal ?? undefined };
    },
    (error: unknown) => {
      finished = true;
      endGroup();
      fs.appendFileSync(stage.logFile, `\npipeline: could not start the command: ${(error as Error).message}\n`);
      return { exitCode: 127 };
    },
  );
  return {
    pid,
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
