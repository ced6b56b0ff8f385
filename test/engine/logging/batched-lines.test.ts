// The plain renderer's stderr: every line arrives, in order, in one write per event-loop turn.
import { describe, expect, it } from 'vitest';
import { batchedLines } from '../../../src/engine/logging/batched-lines.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('batchedLines', () => {
  it('writes the lines of one turn together, after it, in order', async () => {
    const writes: string[] = [];
    const sink = batchedLines((text) => writes.push(text));
    for (let i = 0; i < 1000; i++) sink(`fresh      stage${i}`);
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split('\n')).toHaveLength(1001); // 1,000 lines and the final newline
    expect(writes[0]!.startsWith('fresh      stage0\nfresh      stage1\n')).toBe(true);
    sink('done');
    await nextTurn();
    expect(writes).toEqual([expect.any(String), 'done\n']);
  });

  it('flush writes what is pending at once, and nothing twice', async () => {
    const writes: string[] = [];
    const sink = batchedLines((text) => writes.push(text));
    sink('a');
    sink.flush();
    expect(writes).toEqual(['a\n']);
    await nextTurn();
    sink.flush();
    expect(writes).toEqual(['a\n']);
  });
});
