// Interactive progress with listr2: one line per stage of the plan, updated as the run's events arrive.
import { Listr, type ListrTaskWrapper } from 'listr2';
import type { Renderer, RunEvent } from './events.js';
import { describeEvent } from './plain.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Task = ListrTaskWrapper<any, any, any>;

interface Slot {
  task?: Task;
  settle(outcome: { skip?: string; error?: Error; title?: string }): void;
  pendingOutput?: string;
  pendingTitle?: string;
}

export class ListrRenderer implements Renderer {
  private readonly slots = new Map<string, Slot>();
  private done?: Promise<unknown>;
  private readonly trailer: string[] = [];
  private dryRun = false;

  event(event: RunEvent): void {
    switch (event.type) {
      case 'plan':
        this.dryRun = event.dryRun;
        this.start(event.stages);
        this.trailer.push(describeEvent(event)!);
        return;
      case 'fresh':
        return this.slots.get(event.stage)?.settle({ skip: `${event.stage}: fresh` });
      case 'restored':
        return this.slots
          .get(event.stage)
          ?.settle({ skip: `${event.stage}: ${event.from === 'remote' ? (this.dryRun ? 'would fetch from the remote' : 'fetched from the remote') : 'restored from cache'}` });
      case 'would-run':
        return this.slots.get(event.stage)?.settle({ skip: `${event.stage}: would run (${event.reasons.join('; ')})` });
      case 'skipped':
        return this.slots.get(event.stage)?.settle({ skip: `${event.stage}: skipped (${event.because})` });
      case 'start':
        return this.update(event.stage, `${event.stage}${event.gpus.length > 0 ? ` [GPU ${event.gpus.join(',')}]` : ''}: running`, event.reasons.join('; '));
      case 'done':
        return this.slots.get(event.stage)?.settle({ title: `${event.stage} (${event.seconds.toFixed(1)} s)` });
      case 'failed':
        this.trailer.push(describeEvent(event)!);
        return this.slots.get(event.stage)?.settle({ error: new Error(`${event.stage}: ${event.why}`), title: `${event.stage}: failed (${event.why})` });
      default:
        this.trailer.push(describeEvent(event)!);
    }
  }

  private update(stage: string, title: string, output: string): void {
    const slot = this.slots.get(stage);
    if (!slot) return;
    if (slot.task) {
      slot.task.title = title;
      slot.task.output = output;
    } else {
      slot.pendingTitle = title;
      slot.pendingOutput = output;
    }
  }

  private start(stages: readonly string[]): void {
    const tasks = stages.map((stage) => {
      let settle!: Slot['settle'];
      const outcome = new Promise<{ skip?: string; error?: Error; title?: string }>((resolve) => (settle = resolve));
      const slot: Slot = { settle: (result) => settle(result) };
      this.slots.set(stage, slot);
      return {
        title: `${stage}: waiting`,
        task: async (_context: unknown, task: Task) => {
          slot.task = task;
          if (slot.pendingTitle) task.title = slot.pendingTitle;
          if (slot.pendingOutput) task.output = slot.pendingOutput;
          const result = await outcome;
          if (result.skip) return task.skip(result.skip);
          if (result.title) task.title = result.title;
          if (result.error) throw result.error;
        },
      };
    });
    const list = new Listr(tasks, { concurrent: true, exitOnError: false, rendererOptions: { collapseSkips: true, collapseErrors: false } });
    this.done = list.run().catch(() => {});
  }

  async close(): Promise<void> {
    for (const slot of this.slots.values()) slot.settle({ skip: 'not reached' });
    await this.done;
    for (const line of this.trailer) process.stderr.write(`${line}\n`);
  }
}
