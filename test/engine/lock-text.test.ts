// The lock written a stage at a time (each stage's block rendered once, then kept) is the very text of one render of the whole.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { writePiecesAtomicSync } from '../../src/engine/cache/atomic.js';
import { lockText, readLock, writeLock, type LockedStage } from '../../src/engine/lock/lockfile.js';
import { lockedFields } from '../../src/engine/lock/locked-stage.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const whole = (stages: Record<string, unknown>) => stringify({ version: 1, stages }, { lineWidth: 0, sortMapEntries: false, aliasDuplicateObjects: false });
const header = '# pipeline.lock: written by `pipeline run`. Commit it: `pipeline status` and `pipeline verify` compare against it.\n';

/** What writeLock wrote before it wrote in pieces: the stages sorted into one object, one render, one string. */
function lockedAsBefore(stages: Record<string, unknown>): Record<string, unknown> {
  const sorted = Object.fromEntries(Object.entries(stages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return Object.fromEntries(Object.entries(sorted).map(([name, stage]) => [name, stage !== null && typeof stage === 'object' ? lockedFields(stage as LockedStage) : stage]));
}

function stagesOfEveryShape(count: number): Record<string, unknown> {
  const stages: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const shared = { node: '20', platform: 'linux-x64' };
    stages[`stage@${String(i).padStart(4, '0')}${i % 7 === 0 ? ' x' : ''}`] = {
      key: `${i}`.repeat(8),
      output: { hash: 'ab'.repeat(32), files: i, bytes: i * 1.5 },
      ...(i % 3 === 0 ? { metrics: { loss: i / 7, error: -0 } } : {}),
      ...(i % 11 === 0 ? { info: { backend: 'cpu', gpu_uuid: `GPU-${i}`, threads: 2 } } : {}),
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
  return stages;
}

describe('lock text', () => {
  it('matches one render of the whole for 1,234 stages of every shape (multi-line commands, quotes, numbers, empty maps)', () => {
    const stages = stagesOfEveryShape(1234);
    expect(lockText(stages)).toBe(whole(lockedAsBefore(stages)));
  });

  it('gives back the repository lock byte for byte', () => {
    const text = fs.readFileSync(path.join(repo, 'pipeline.lock'), 'utf8');
    const body = text.slice(text.indexOf('\n') + 1);
    expect(lockText((parse(body) as { stages: Record<string, unknown> }).stages)).toBe(body);
  });

  it('renders an empty lock as one render does', () => {
    expect(lockText({})).toBe(whole({}));
  });
});

describe('writeLock, in pieces', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const memoOf = (file: string, stages: Record<string, unknown>) => {
    const stat = fs.statSync(file, { bigint: true });
    return JSON.stringify({ stat: `${stat.ino}:${stat.size}:${stat.mtimeNs}`, lock: { version: 1, stages: lockedAsBefore(stages) } });
  };

  it('writes the bytes of one render, and the memo JSON.stringify gave, on every write as stages settle and change', () => {
    const file = path.join(dir, 'pipeline.lock');
    const memo = path.join(dir, 'state', 'lock.json');
    const all = stagesOfEveryShape(600);
    // Names a JavaScript object orders first, by number: the lock lists them as its object did.
    // Around the largest array index (4294967294), and names that only look like numbers, which are listed by name.
    Object.assign(all, {
      '10': all['stage@0001'],
      '9': all['stage@0002'],
      '0': null,
      '4294967294': all['stage@0004'],
      '4294967295': all['stage@0005'],
      '01': all['stage@0006'],
      '1.5': all['stage@0008'],
      '-1': all['stage@0009'],
    });
    const stages: Record<string, unknown> = {};
    const names = Object.keys(all);
    for (const [step, upTo] of [50, 51, 400, names.length].entries()) {
      for (const name of names.slice(0, upTo)) stages[name] ??= all[name];
      if (step === 2) {
        // A stage settled again (a forced rerun): a new object under the same name, with other metrics.
        stages['stage@0003'] = { ...(all['stage@0003'] as object), metrics: { loss: 1 } };
      }
      writeLock(file, { version: 1, stages: stages as Record<string, LockedStage> }, memo);
      expect(fs.readFileSync(file, 'utf8')).toBe(header + whole(lockedAsBefore(stages)));
      expect(fs.readFileSync(memo, 'utf8')).toBe(memoOf(file, stages));
      expect(readLock(file, memo).stages).toEqual(JSON.parse(JSON.stringify(lockedAsBefore(stages))));
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['pipeline.lock', 'state']);
  });

  it('drops the run-specific fields a lock read from an older linpath holds, as before', () => {
    const file = path.join(dir, 'pipeline.lock');
    const stages = { a: { key: 'k', output: { hash: 'h', files: 1, bytes: 2 }, duration_s: 3, info: { backend: 'cpu', gpu_index: 0 }, inputs: {} } };
    writeLock(file, { version: 1, stages: stages as unknown as Record<string, LockedStage> });
    expect(fs.readFileSync(file, 'utf8')).toBe(header + whole(lockedAsBefore(stages)));
    expect(fs.readFileSync(file, 'utf8')).not.toContain('duration_s');
  });
});

describe('writePiecesAtomicSync', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-pieces-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the pieces joined, across batches, keeping the mode of the file it replaces', () => {
    const file = path.join(dir, 'out.txt');
    fs.writeFileSync(file, 'old');
    fs.chmodSync(file, 0o640);
    const pieces = Array.from({ length: 5000 }, (_, i) => `piece ${i} ${'é'.repeat(i % 100)}\n`);
    writePiecesAtomicSync(file, pieces);
    expect(fs.readFileSync(file, 'utf8')).toBe(pieces.join(''));
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir)).toEqual(['out.txt']);
  });

  it('writes a piece longer than a batch, and multi-byte characters at a batch boundary, whole', () => {
    const file = path.join(dir, 'out.txt');
    const pieces = ['a', 'é€😀'.repeat(40_000), 'b', 'x'.repeat(256 * 1024 - 3), '€', '😀', 'é'.repeat(200_000), ''];
    writePiecesAtomicSync(file, pieces);
    expect(fs.readFileSync(file)).toEqual(Buffer.from(pieces.join('')));
  });

  it('writes through a symlink to the file it names', () => {
    const file = path.join(dir, 'real.txt');
    fs.writeFileSync(file, 'old');
    fs.symlinkSync(file, path.join(dir, 'link.txt'));
    writePiecesAtomicSync(path.join(dir, 'link.txt'), ['new', ' text']);
    expect(fs.readFileSync(file, 'utf8')).toBe('new text');
    expect(fs.lstatSync(path.join(dir, 'link.txt')).isSymbolicLink()).toBe(true);
  });

  it('leaves the old file and no temporary file when making the pieces fails', () => {
    const file = path.join(dir, 'out.txt');
    fs.writeFileSync(file, 'old');
    function* failing(): Generator<string> {
      yield 'x'.repeat(300 * 1024);
      throw new Error('no more');
    }
    expect(() => writePiecesAtomicSync(file, failing())).toThrow('no more');
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['out.txt']);
  });
});
