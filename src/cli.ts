// The `pipeline` command line: parses arguments with commander and dispatches to the engine's commands.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode, PipelineError } from './engine/errors.js';
import type { Renderer } from './engine/logging/events.js';
import { PlainRenderer } from './engine/logging/plain.js';
import { profileFile } from './engine/pipeline/extends.js';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return parsed;
}

/** A repeatable option's values, in order. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function nonNegative(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return parsed;
}

function isSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** listr2 in an interactive terminal; plain lines in CI, in pipes, or when asked. */
async function chooseRenderer(plain: boolean): Promise<Renderer> {
  const interactive = process.stderr.isTTY && !process.env.CI && process.env.TERM !== 'dumb';
  if (plain || !interactive) return new PlainRenderer();
  const { ListrRenderer } = await import('./engine/logging/listr.js');
  return new ListrRenderer();
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command('pipeline')
    .description('Run a DAG of cached stages declared in pipeline.yaml; only what changed reruns.')
    .option('-f, --file <path>', 'the pipeline file', 'pipeline.yaml')
    .option('-P, --profile <name>', 'run the profile beside the pipeline file: -P paper is -f pipeline.paper.yaml (its params over the same stages)')
    .option('--plain', 'plain one-line progress even in a terminal')
    // Every command reads --file: a profile is the file beside it, named after it.
    .hook('preAction', (command) => {
      const { file, profile } = command.opts<{ file: string; profile?: string }>();
      if (profile !== undefined) command.setOptionValue('file', profileFile(file, profile));
    })
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nExit codes: 0 ok, 1 a stage failed, 2 bad usage or bad pipeline file, 3 another run holds the project, 130 interrupted.');

  program
    .command('run')
    .description('run the stages whose inputs changed (all, or the named stages/groups and what they need)')
    .argument('[stages...]', 'stage names, fan-out groups (sweep) or members (sweep@lenet@100)')
    .option('-S, --set <path=value>', 'override a param for this command, as if written in pipeline.yaml (repeatable; the path is under params)', collect)
    .option('--force', 'rerun the named stages even if fresh')
    .option('--downstream', 'also run every stage that depends on the named ones')
    .option('-n, --dry-run', 'say what would run and why; run nothing')
    .option('-j, --jobs <n>', 'CPU slots for concurrent stages (default: number of cores)', positiveInteger)
    .option('--gpus <list>', 'GPU ids to lease ("0,1"), "auto" (CUDA_VISIBLE_DEVICES, then nvidia-smi) or "none"')
    .option('-k, --keep-going', 'after a failure, still finish the stages that do not depend on it')
    .option('--backend <name>', 'compute backend for the stages (sets PIPELINE_BACKEND, part of every key)')
    .addOption(new Option('--wait <seconds>', 'wait this long for another run holding the project').argParser(nonNegative))
    .addOption(new Option('--executor <kind>', 'where stages run (default: executor.kind in pipeline.yaml, else local)').choices(['local', 'slurm']))
    .option('--partition <name>', 'Slurm partition for every job')
    .option('--account <name>', 'Slurm account for every job')
    .option('--time <limit>', 'Slurm time limit for every job (e.g. 4:00:00)')
    .option('--slurm-arg <arg>', 'extra sbatch option, e.g. --slurm-arg=--qos=high (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--remote <url>', 'remote cache: http(s):// URL or directory (default: PIPELINE_REMOTE, then cache.remote in pipeline.yaml)')
    .option('--no-fetch', 'do not fetch stale stages from the remote: compute them')
    .option('--no-push', 'do not push what this run computes to the remote')
    .option('--remote-required', 'a remote that fails (unreachable, slow, 5xx, bad bytes, auth) fails the run instead of computing locally')
    .action(async (stages: string[], options) => {
      const { runCommand } = await import('./engine/commands/run.js');
      const renderer = await chooseRenderer(program.opts().plain);
      try {
        const summary = await runCommand({ file: program.opts().file, stages, ...options, waitSeconds: options.wait }, renderer);
        exitCode = summary.exitCode;
      } finally {
        await renderer.close();
      }
    });

  program
    .command('verify')
    .description('rerun stages without the cache and compare with pipeline.lock (output hashes, metrics within tolerance)')
    .argument('[stages...]', 'stages or groups to verify (default: all)')
    .option('-S, --set <path=value>', 'override a param for this command, as if written in pipeline.yaml (repeatable; the path is under params)', collect)
    .option('--rtol <r>', 'relative tolerance for metrics (overrides verify.rtol in pipeline.yaml)', nonNegative)
    .option('--atol <a>', 'absolute tolerance for metrics (overrides verify.atol)', nonNegative)
    .option('--backend <name>', "rerun on this compute backend and compare with the lock's results from any backend (keys unchanged)")
    .option('-j, --jobs <n>', 'CPU slots for concurrent stages', positiveInteger)
    .option('--gpus <list>', 'GPU ids to lease ("0,1"), "auto" or "none"')
    .action(async (stages: string[], options) => {
      const { verifyCommand } = await import('./engine/commands/verify.js');
      const renderer = await chooseRenderer(program.opts().plain);
      try {
        exitCode = await verifyCommand({ file: program.opts().file, stages, ...options }, renderer);
      } finally {
        await renderer.close();
      }
    });

  program
    .command('status')
    .description('for each stage: fresh, or exactly what changed (param, file, upstream)')
    .option('--remote <url>', 'also say which stale stages the remote cache has (default: PIPELINE_REMOTE, then cache.remote in pipeline.yaml)')
    .argument('[stages...]', 'limit to these stages or groups')
    .option('-S, --set <path=value>', 'override a param for this command, as if written in pipeline.yaml (repeatable; the path is under params)', collect)
    .action(async (stages: string[], options) => {
      const { statusCommand } = await import('./engine/commands/status.js');
      exitCode = await statusCommand({ file: program.opts().file, stages, set: options.set, remote: options.remote });
    });

  for (const [name, description] of [
    ['push', "send the entries pipeline.lock names (all, or the STAGEs') to the remote cache"],
    ['pull', 'fetch the entries pipeline.lock names from the remote cache, verified, and publish them as run does'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('[stages...]', 'stages or groups (default: every stage in pipeline.lock)')
      .option('--remote <url>', 'remote cache: http(s):// URL or directory (default: PIPELINE_REMOTE, then cache.remote in pipeline.yaml)')
      .action(async (stages: string[], options: { remote?: string }) => {
        const transfer = name === 'push' ? (await import('./engine/commands/push.js')).pushCommand : (await import('./engine/commands/pull.js')).pullCommand;
        exitCode = await transfer({ file: program.opts().file, stages, remote: options.remote });
      });
  }

  program
    .command('dag')
    .description('print the stage graph')
    .option('--dot', 'Graphviz dot instead of text')
    .option('-S, --set <path=value>', 'override a param, as for run (repeatable)', collect)
    .action(async (options: { dot?: boolean; set?: string[] }) => {
      const { dagCommand } = await import('./engine/commands/dag.js');
      exitCode = dagCommand({ file: program.opts().file, dot: options.dot ?? false, set: options.set });
    });

  program
    .command('fsck')
    .description('re-read cache entries byte for byte against their manifests; exit 1 naming each damaged one')
    .argument('[stages...]', 'check the entries pipeline.lock names for these stages or groups (default: every entry in cache/)')
    .option('--repair', 'drop the damaged entries (the next run rebuilds them)')
    .action(async (stages: string[], options: { repair?: boolean }) => {
      const { fsckCommand } = await import('./engine/commands/fsck.js');
      exitCode = await fsckCommand({ file: program.opts().file, stages, repair: options.repair ?? false });
    });

  program
    .command('gc')
    .description('delete cache entries that no lock file sharing the cache (pipeline.lock, other.lock, …) nor a recent run refers to')
    .option('--keep-runs <n>', 'also keep what the last N runs used', positiveInteger, 3)
    .option('-n, --dry-run', 'only report what would be freed')
    .action(async (options: { keepRuns: number; dryRun?: boolean }) => {
      const { gcCommand } = await import('./engine/commands/gc.js');
      exitCode = await gcCommand({ file: program.opts().file, keepRuns: options.keepRuns, dryRun: options.dryRun ?? false });
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; commander has already printed its message for the rest.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? ExitCode.ok : ExitCode.badInput;
    }
    if (error instanceof PipelineError) {
      process.stderr.write(`pipeline: ${error.message}\n`);
      return error.exitCode;
    }
    if (isSystemError(error)) {
      // A full disk, a read-only or vanished directory: one line naming the call and the path, no stack trace.
      process.stderr.write(`pipeline: ${error.message}${error.code === 'ENOSPC' || error.code === 'EDQUOT' ? ' (free some space and run again: what completed is in the cache)' : ''}\n`);
      return ExitCode.stageFailed;
    }
    throw error;
  }
}
