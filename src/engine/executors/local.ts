// Runs one stage command through the shell in its own process group, which ends with the shell; its output goes to one log file.
import fs from 'node:fs';
import { forgetStageGroup, groupRecordFile } from '../execution/orphans.js';
import { startShell } from '../execution/shell-spawner.js';

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

/**
 * The runner's environment without what the runner itself sets per stage when the stage is given it (its upstream
 * provenance, scratch dir, inputs): a runner started inside another stage inherits that stage's, and a stage here that
 * is not given them (no provenance: true, not resumable, other needs) must not see the outer stage's.
 */
function inheritedEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name, value]) => value !== undefined && name !== 'PIPELINE_UPSTREAM' && name !== 'PIPELINE_SCRATCH' && !name.startsWith('PIPELINE_IN_')),
  ) as Record<string, string>;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export async function startLocal(stage: StageCommand): Promise<RunningStage> {
  // One O_APPEND descriptor for both streams, opened here: every write lands at the end in order, and a
  // command that cannot start leaves no stream opening a file after the fact.
  const log = fs.openSync(stage.logFile, 'a');
  let child: Awaited<ReturnType<typeof startShell>>;
  try {
    const groupRecord = stage.workDir === undefined ? undefined : groupRecordFile(stage.workDir);
    child = await startShell({ command: stage.command, cwd: stage.cwd, env: { ...inheritedEnvironment(), ...stage.env }, logFd: log, groupRecordFile: groupRecord });
  } finally {
    fs.closeSync(log); // The child has its own copies (or never started).
  }
  // Its process group was noted in the staging dir by the thread that started it (groupRecordFile).
  const pid = child.pid;
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
  const exit = child.ended.then((result): StageExit => {
    finished = true;
    endGroup();
    if (result.exitCode === undefined && !result.signal) {
      // The shell never ran (E2BIG, EAGAIN, …): say why rather than "exit code undefined".
      const why = `could not start the command (${result.code ?? 'unknown error'})`;
      try {
        fs.appendFileSync(stage.logFile, `pipeline: ${why}\n`);
      } catch {
        // The log's directory may be gone already.
      }
      return { exitCode: 127, why };
    }
    return { exitCode: result.exitCode, signal: result.signal };
  });
  return {
    pid,
    exit,
    async kill(graceMs = 3000) {
      if (pid === undefined || finished) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
      signalGroup(pid, 'SIGKILL'); // Stragglers that ignored SIGTERM after the shell exited.
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
