// `pipeline status`: a dry run that reports, for each stage, fresh or exactly what changed, and how its last run went.
import { Scheduler } from '../execution/scheduler.js';
import { selectStages } from '../execution/selection.js';
import { readLock } from '../lock/lockfile.js';
import type { Renderer, RunEvent } from '../logging/events.js';
import { openProjectFile } from '../project.js';
import { parseOverride } from '../pipeline/overrides.js';
import { lastRun } from '../status/last-run.js';
import { openRunRemote } from '../remote/run-remote.js';

class StatusRenderer implements Renderer {
  readonly lines: string[] = [];
  remoteOnly = 0;

  /** `ranAs(stage, key)`: the last run of that entry, from its run record (timings are not in the lock). */
  constructor(private readonly ranAs: (stage: string, key?: string) => string | undefined) {}

  private withRun(line: string, stage: string, key?: string): string {
    const run = this.ranAs(stage, key);
    return run ? `${line}  (${run})` : line;
  }

  event(event: RunEvent): void {
    if (event.type === 'fresh') this.lines.push(this.withRun(`fresh     ${event.stage}`, event.stage));
    else if (event.type === 'restored' && event.from === 'remote') {
      this.remoteOnly += 1;
      this.lines.push(`remote    ${event.stage} (its output for the current inputs is only on the remote; run or pull fetches it)`);
    } else if (event.type === 'restored') this.lines.push(this.withRun(`cached    ${event.stage} (its output for the current inputs is in cache/; run restores it)`, event.stage, event.key));
    else if (event.type === 'would-run') this.lines.push(`stale     ${event.stage}\n${event.reasons.map((reason) => `            - ${reason}`).join('\n')}`);
  }

  close(): void {}
}

export async function statusCommand(
  options: { file: string; stages: string[]; set?: string[]; remote?: string },
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  const project = openProjectFile(options.file, (options.set ?? []).map(parseOverride));
  const { pipeline } = project;
  const selection = selectStages(pipeline, options.stages, false);
  // A fresh stage's key is the one the lock names; the scheduler reports an unreadable lock itself.
  let locked: Record<string, { key: string }> = {};
  try {
    locked = readLock(project.lockFile, project.lockMemo).stages;
  } catch {
    locked = {};
  }
  const renderer = new StatusRenderer((stage, key) => lastRun(project.store, key ?? locked[stage]?.key));
  // Asked only about stale stages: a status with everything fresh makes no request.
  const remote = openRunRemote(project, { remote: options.remote, push: false }, (message) => process.stderr.write(`pipeline: ${message}\n`));
  const scheduler = new Scheduler(project, selection, { force: false, dryRun: true, keepGoing: true, jobs: 1, gpus: [], gpuSource: 'status', pruneLock: false, remote }, renderer);
  const summary = await scheduler.run().finally(() => remote?.close());
  write(`${renderer.lines.join('\n')}\n`);
  const stale = summary.wouldRun.length;
  if (renderer.remoteOnly > 0) write(`${renderer.remoteOnly} stage(s) only on the remote ${remote!.remote.name}: \`pipeline pull\` or \`pipeline run\` fetches them\n`);
  if (stale > 0 || renderer.remoteOnly === 0) write(stale === 0 ? `everything is fresh (${summary.fresh.length + summary.restored.length} stage(s))\n` : `${stale} stage(s) would run\n`);
  return 0;
}
