// The runner's old generation grows by 30 % between full collections once stages run (docs/benchmarks.md, "Scale").
import { describe, expect, it, vi } from 'vitest';

async function fresh() {
  vi.resetModules();
  return import('../../src/engine/execution/gc-pacing.js');
}

describe('paceGarbageCollection', () => {
  it('sets the growing factor once', async () => {
    const { paceGarbageCollection, growingPercent } = await fresh();
    expect(growingPercent).toBe(30);
    expect(paceGarbageCollection([])).toBe(true);
    expect(paceGarbageCollection([])).toBe(false);
  });

  it('leaves a growing factor node was started with', async () => {
    const { paceGarbageCollection } = await fresh();
    expect(paceGarbageCollection(['--max-semi-space-size=4', '--heap-growing-percent=50'])).toBe(false);
    expect(paceGarbageCollection([])).toBe(false);
    const again = await fresh();
    expect(again.paceGarbageCollection(['--heap_growing_percent=10'])).toBe(false);
  });
});
