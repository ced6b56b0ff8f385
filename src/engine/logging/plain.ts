// One line per event, for CI logs and pipes: no colours, no cursor movement.
import { batchedLines } from './batched-lines.js';
import type { Renderer, RunEvent } from './events.js';

/** `dryRun`: a dry run's remote entries are only looked up, not fetched. */
export function describeEvent(event: RunEvent, dryRun = false): string | undefined {
  switch (event.type) {
    case 'plan': {
      const gpus = event.gpus.length > 0 ? `GPUs ${event.gpus.join(',')} (${event.gpuSource})` : 'no GPU';
      return `${event.dryRun ? 'dry run: ' : ''}${event.stages.length} stage(s) to check; ${event.jobs} CPU slot(s), ${gpus}`;
    }
    case 'fresh':
      return `fresh      ${event.stage}`;
    case 'restored':
      if (event.from === 'remote' && dryRun) return `would fetch ${event.stage} (the remote has its output for the current inputs, key ${event.key.slice(0, 12)})`;
      return event.from === 'remote'
        ? `fetched    ${event.stage} (from the remote by its key ${event.key.slice(0, 12)}; every file verified)`
        : `restored   ${event.stage} (found in cache/ by its key ${event.key.slice(0, 12)})`;
    case 'corrupt':
      return `corrupt    ${event.stage}: cache entry damaged (${event.why}); rebuilding`;
    case 'would-run':
      return `would run  ${event.stage}: ${event.reasons.join('; ')}`;
    case 'start':
      return `run        ${event.stage}${event.gpus.length > 0 ? ` [GPU ${event.gpus.join(',')}]` : ''}: ${event.reasons.join('; ')}`;
    case 'done':
      return `done       ${event.stage} in ${event.seconds.toFixed(1)} s`;
    case 'failed':
      return [`FAILED     ${event.stage}: ${event.why}`, ...event.tail.map((line) => `  | ${line}`), `  full log: ${event.log}`].join('\n');
    case 'skipped':
      return `skipped    ${event.stage}: ${event.because}`;
    case 'published':
      return `published  ${event.stage} → ${event.destination} (${event.files} file(s) updated)`;
    case 'note':
      return event.message;
    case 'finished': {
      const parts = [`${event.ran} ran`, `${event.fresh} fresh`];
      if (event.restored) parts.push(`${event.restored} restored from cache`);
      if (event.failed) parts.push(`${event.failed} failed`);
      if (event.skipped) parts.push(`${event.skipped} skipped`);
      return `${parts.join(', ')} (${event.seconds.toFixed(2)} s)`;
    }
  }
}

export class PlainRenderer implements Renderer {
  private readonly write: (line: string) => void;
  private readonly flush: () => void;

  /** `write`: where each line goes (tests); by default stderr, in one write per event-loop turn. */
  constructor(write?: (line: string) => void) {
    const sink = write ? undefined : batchedLines((text) => process.stderr.write(text));
    this.write = write ?? sink!;
    this.flush = sink ? sink.flush : () => {};
  }

  private dryRun = false;

  event(event: RunEvent): void {
    if (event.type === 'plan') this.dryRun = event.dryRun;
    const line = describeEvent(event, this.dryRun);
    if (line !== undefined) this.write(line);
  }

  close(): void {
    this.flush();
  }
}
