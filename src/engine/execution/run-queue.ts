// Stages waiting for a CPU slot or a GPU, started in priority order without rescanning the whole queue.
import type { Resources } from '../pipeline/stage.js';
import { PriorityQueue } from './priority-queue.js';

/**
 * One heap per resource shape. Stages of one shape ask the pool for the same thing, so when the best of them
 * does not fit, none of the others does: starting "every queued stage that fits, best first" then takes
 * a look at each shape's best stage, not at every queued stage.
 */
export class RunQueue<T extends { resources: Resources }> {
  private readonly shapes = new Map<string, PriorityQueue<T>>();
  private size = 0;

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    const shape = `${item.resources.gpu}/${item.resources.cpu}`;
    let queue = this.shapes.get(shape);
    if (!queue) {
      queue = new PriorityQueue(this.before);
      this.shapes.set(shape, queue);
    }
    queue.push(item);
    this.size += 1;
  }

  /**
   * Offers queued stages to `tryStart`, best first; a stage it starts leaves the queue. Stops offering a
   * shape once one of its stages did not start.
   */
  startEach(tryStart: (item: T) => boolean): void {
    const open = new Set([...this.shapes.values()].filter((queue) => queue.length > 0));
    while (open.size > 0) {
      let best: PriorityQueue<T> | undefined;
      for (const queue of open) if (!best || this.before(queue.peek()!, best.peek()!)) best = queue;
      if (!tryStart(best!.peek()!)) {
        open.delete(best!);
        continue;
      }
      best!.pop();
      this.size -= 1;
      if (best!.length === 0) open.delete(best!);
    }
  }
}
