// `pipeline status`: a dry run that reports, for each stage, fresh or exactly what changed.
import { Scheduler } from '../execution/scheduler.js';
import { selectStages } from '../execution/selection.js';
import type { Renderer, RunEvent } from '../logging/events.js';
import { openProjectFile } from '../project.js';

class StatusRenderer implements Renderer {
  readonly lines: string[] = [];

  event(event: RunEvent): void {
    if (event.type === 'fresh') this.lines.push(`fresh     ${event.stage}`);
    else if (event.type === 'restored') this.lines.push(`cached    ${event.stage} (its output for the current inputs is in cache/; run restores it)`);
    else if (event.type === 'would-run') this.lines.push(`stale     ${event.stage}\n${event.reasons.map((reason) => `            - ${reason}`).join('\n')}`);
  }

  close(): void {}
}

export async function statusCommand(options: { file: string; stages: string[] }, write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const project = openProjectFile(options.file);
  const { pipeline } = project;
  const selection = selectStages(pipeline, options.stages, false);
  const renderer = new StatusRenderer();
  const scheduler = new Scheduler(project, selection, { force: false, dryRun: true, keepGoing: true, jobs: 1, gpus: [], gpuSource: 'status', pruneLock: false }, renderer);
  const summary = await scheduler.run();
  write(`${renderer.lines.join('\n')}\n`);
  const stale = summary.wouldRun.length;
  write(stale === 0 ? `everything is fresh (${summary.fresh.length + summary.restored.length} stage(s))\n` : `${stale} stage(s) would run\n`);
  return 0;
}
