// The lock rendered a chunk of stages at a time is the very text of one render of the whole.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { lockText } from '../../src/engine/lock/lockfile.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const whole = (stages: Record<string, unknown>) => stringify({ version: 1, stages }, { lineWidth: 0, sortMapEntries: false, aliasDuplicateObjects: false });

describe('lock text', () => {
  it('matches one render of the whole for 1,234 stages of every shape (multi-line commands, quotes, numbers, empty maps)', () => {
    const stages: Record<string, unknown> = {};
    for (let i = 0; i < 1234; i++) {
      const shared = { node: '20', platform: 'linux-x64' };
      stages[`stage@${String(i).padStart(4, '0')}${i % 7 === 0 ? ' x' : ''}`] = {
        key: `${i}`.repeat(8),
        output: { hash: 'ab'.repeat(32), files: i, bytes: i * 1.5 },
        ...(i % 3 === 0 ? { metrics: { loss: i / 7, error: -0 } } : {}),
        inputs: {
          cmd: i % 5 === 0 ? `line one ${i}\n\n  indented: "${i}"\nlast\n` : `echo '${i}' > \${out}/x # ${'#'.repeat(i % 4)}`,
          params: i % 2 ? {} : { lr: 0.1, name: `yes`, list: [1, 'two', null], nested: { deep: { x: true } } },
          deps: {},
          needs: i > 0 ? { up: 'cd'.repeat(32) } : {},
          env: {},
          toolchain: shared,
        },
      };
    }
    expect(lockText(stages)).toBe(whole(stages));
  });

  it('gives back the repository lock byte for byte, rendered three stages at a time', () => {
    const text = fs.readFileSync(path.join(repo, 'pipeline.lock'), 'utf8');
    const body = text.slice(text.indexOf('\n') + 1);
    expect(lockText((parse(body) as { stages: Record<string, unknown> }).stages, 3)).toBe(body);
  });
});
