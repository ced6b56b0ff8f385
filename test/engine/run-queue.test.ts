import { describe, expect, it } from 'vitest';
import { PriorityQueue } from '../../src/engine/execution/priority-queue.js';
import { RunQueue } from '../../src/engine/execution/run-queue.js';

describe('the scheduler queues', () => {
  it('a priority queue gives items back in order, whatever order they came in', () => {
    const queue = new PriorityQueue<number>((a, b) => a < b);
    const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 500);
    for (const value of values) queue.push(value);
    const out: number[] = [];
    for (let value = queue.pop(); value !== undefined; value = queue.pop()) out.push(value);
    expect(out).toEqual([...values].sort((a, b) => a - b));
  });

  it('starts every queued stage that fits, best first, as a scan of the whole queue would', () => {
    type Item = { name: string; rank: number; resources: { gpu: number; cpu: number } };
    const queue = new RunQueue<Item>((a, b) => a.rank < b.rank);
    const items: Item[] = [
      { name: 'gpu-a', rank: 0, resources: { gpu: 1, cpu: 1 } },
      { name: 'cpu-a', rank: 1, resources: { gpu: 0, cpu: 1 } },
      { name: 'gpu-b', rank: 2, resources: { gpu: 1, cpu: 1 } },
      { name: 'big', rank: 3, resources: { gpu: 0, cpu: 4 } },
      { name: 'cpu-b', rank: 4, resources: { gpu: 0, cpu: 1 } },
      { name: 'cpu-c', rank: 5, resources: { gpu: 0, cpu: 1 } },
    ];
    for (const item of [...items].reverse()) queue.push(item);
    let gpus = 1;
    let cpus = 2;
    const started: string[] = [];
    const tryStart = (item: Item) => {
      const cpu = item.resources.gpu > 0 ? 0 : item.resources.cpu;
      if (item.resources.gpu > gpus || cpu > cpus) return false;
      gpus -= item.resources.gpu;
      cpus -= cpu;
      started.push(item.name);
      return true;
    };
    queue.startEach(tryStart);
    expect(started).toEqual(['gpu-a', 'cpu-a', 'cpu-b']);
    expect(queue.length).toBe(3);
    gpus = 1;
    cpus = 4;
    queue.startEach(tryStart);
    expect(started.slice(3)).toEqual(['gpu-b', 'big']);
    expect(queue.length).toBe(1);
  });
});
