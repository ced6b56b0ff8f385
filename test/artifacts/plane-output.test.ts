// plane.csv and plane.json: the bytes written, the record read back, a malformed plane.json named by its field, groups.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlaneGroup, readPlaneRecord, writePlaneOutput } from '../../src/artifacts/plane-output.js';
import { planeFixture } from '../report/plane-fixture.js';
import { artifactFailure, useScratchDir } from './helpers.js';

const scratch = useScratchDir();
const RECORD = planeFixture('path', 3);

describe('plane output', () => {
  it('writes plane.csv (a, b, loss, error; b outer) and plane.json, and reads them back', async () => {
    await writePlaneOutput(scratch.dir, RECORD);
    const csv = (await readFile(join(scratch.dir, 'plane.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('a,b,test_loss,test_error');
    expect(csv).toHaveLength(10);
    expect(csv[2]!.startsWith('5,-2,')).toBe(true);
    expect(await readPlaneRecord(scratch.dir)).toEqual(RECORD);
    const random = planeFixture('random', 3);
    await writePlaneOutput(scratch.dir, random);
    expect(await readPlaneRecord(scratch.dir)).toEqual(random);
  });

  it.each([
    [{ kind: 'sphere' }, 'kind is "sphere", expected one of path, random'],
    [{ a: [0] }, 'a has 1 values, expected at least 2'],
    [{ b: [1, 0, 2] }, 'b[1] is 0 after 1, expected ascending values'],
    [{ rows: RECORD.rows.slice(1) }, 'rows has 8 rows, but the grid is 3 × 3'],
    [{ rows: [RECORD.rows[1], RECORD.rows[0], ...RECORD.rows.slice(2)] }, 'rows[0] is at (5, -2), expected (-2, -2): rows go b outer, a inner'],
    [{ anchors: [{ name: 'theta_0', iteration: -1, a: 0, b: 0, test_loss: 1, test_error: 0 }] }, 'anchors[0].iteration is -1, expected a non-negative integer'],
    [{ seed: 'x' }, 'seed is "x", expected a non-negative integer'],
  ])('names the wrong field of %j', async (change, problem) => {
    await writeFile(join(scratch.dir, 'plane.json'), JSON.stringify({ ...RECORD, ...change }));
    const error = await artifactFailure(readPlaneRecord(scratch.dir));
    expect(error.reason).toBe('corrupt-input');
    expect(error.message).toContain(`${join(scratch.dir, 'plane.json')}: expected { setting, plane, kind`);
    expect(error.message).toContain(`(${problem})`);
  });

  it('reads a fan-out group in member order, a single output, and an empty group (planes switched off) as none', async () => {
    await writePlaneOutput(await mkdirIn('mnist_lenet_300_100@random'), planeFixture('random', 3));
    await writePlaneOutput(await mkdirIn('mnist_lenet_300_100@100'), RECORD);
    expect((await readPlaneGroup(scratch.dir)).map((r) => r.plane)).toEqual(['100', 'random']);
    expect((await readPlaneGroup(join(scratch.dir, 'mnist_lenet_300_100@100'))).map((r) => r.plane)).toEqual(['100']);
    expect(await readPlaneGroup(await mkdirIn('empty'))).toEqual([]);
    expect((await artifactFailure(readPlaneGroup(join(scratch.dir, 'missing')))).reason).toBe('missing-input');
  });
});

async function mkdirIn(name: string): Promise<string> {
  const dir = join(scratch.dir, name);
  await mkdir(dir, { recursive: true });
  return dir;
}
