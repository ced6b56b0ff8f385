// JSON artifacts on disk: the exact bytes written, atomic replacement, and read errors that name the file.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactError } from '../../src/artifacts/errors.js';
import { formatJson, readJsonFile, readTextFile, writeJsonFile } from '../../src/artifacts/json-file.js';
import { writeFileAtomic } from '../../src/artifacts/write-atomic.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linpath-artifacts-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<ArtifactError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArtifactError);
  return error as ArtifactError;
}

describe('writing', () => {
  it('writes JSON with two-space indents and one final newline, replacing the old file and leaving no temporary', async () => {
    const file = join(dir, 'a.json');
    await writeFile(file, 'old');
    await writeJsonFile(file, { b: 1, a: [0.1, 'x'] });
    expect(await readFile(file, 'utf8')).toBe('{\n  "b": 1,\n  "a": [\n    0.1,\n    "x"\n  ]\n}\n');
    expect(formatJson({ b: 1 })).toBe('{\n  "b": 1\n}\n');
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it('writes bytes, a view into a larger buffer included', async () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    await writeFileAtomic(join(dir, 'b.bin'), backing.subarray(1, 4));
    expect([...(await readFile(join(dir, 'b.bin')))]).toEqual([1, 2, 3]);
  });

  it('a write into a missing folder is a write-failed naming the file', async () => {
    const error = await failure(writeFileAtomic(join(dir, 'no/such/c.txt'), 'x'));
    expect(error.reason).toBe('write-failed');
    expect(error.file).toBe(join(dir, 'no/such/c.txt'));
    expect(error.cause).toBeDefined();
  });
});

describe('reading', () => {
  it('a missing file is a missing-input that says what the file is and what to do', async () => {
    const file = join(dir, 'dataset.json');
    const error = await failure(readTextFile(file, { what: 'the dataset manifest', hint: 'run the fetch-data stage first' }));
    expect(error.reason).toBe('missing-input');
    expect(error.message).toBe(`${file}: cannot read the dataset manifest: file not found (run the fetch-data stage first)`);
    expect((await failure(readTextFile(file))).message).toBe(`${file}: file not found`);
  });

  it('a file that is not JSON is a corrupt-input with the parser message, the cause kept', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{ nope');
    const error = await failure(readJsonFile(file));
    expect(error.reason).toBe('corrupt-input');
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not JSON \\(`));
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});
