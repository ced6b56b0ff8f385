// train.json: written in its fixed key order, read back, and a malformed one named with its field.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrainRecord, writeTrainRecord, type TrainRecord } from '../../src/artifacts/train-record.js';
import { artifactFailure, useScratchDir } from './helpers.js';

const scratch = useScratchDir();
const RECORD: TrainRecord = {
  setting: 'mnist_lenet_300_100',
  model: 'lenet_300_100',
  iterations: [0, 3, 6],
  final_iteration: 6,
  seed: 1,
  backend: 'wasm',
  final: { test_loss: 2.1, test_accuracy: 0.3 },
  history: [
    { iteration: 3, train_loss: 2.2, lr: 0.1 },
    { iteration: 6, train_loss: 2.15, lr: 0.1 },
  ],
};

describe('train.json', () => {
  it('writes its fields in a fixed order whatever order they come in, and reads them back', async () => {
    const { history, final, ...rest } = RECORD;
    await writeTrainRecord(scratch.dir, { history: history.map(({ lr, ...h }) => ({ lr, ...h })), final: { test_accuracy: 0.3, test_loss: 2.1 }, ...rest });
    expect(await readFile(join(scratch.dir, 'train.json'), 'utf8')).toBe(`${JSON.stringify({ ...rest, final, history }, null, 2)}\n`);
    expect(await readTrainRecord(scratch.dir)).toEqual(RECORD);
  });

  it('names a missing train.json', async () => {
    const error = await artifactFailure(readTrainRecord(scratch.dir));
    expect(error.reason).toBe('missing-input');
    expect(error.message).toBe(`${join(scratch.dir, 'train.json')}: cannot read the train record: file not found`);
  });

  it.each([
    [{ model: 3 }, 'model is 3, expected a string'],
    [{ final_iteration: 2.5 }, 'final_iteration is 2.5, expected a non-negative integer'],
    [{ iterations: [0, -1] }, 'iterations[1] is -1, expected a non-negative integer'],
    [{ final: { test_loss: 1 } }, 'final.test_accuracy is missing, expected a number'],
    [{ history: [{ iteration: 1, train_loss: 'x', lr: 0.1 }] }, 'history[0].train_loss is "x", expected a number'],
    [{ history: {} }, 'history is {}, expected an array'],
  ])('names the wrong field of %j', async (change, problem) => {
    await writeFile(join(scratch.dir, 'train.json'), JSON.stringify({ ...RECORD, ...change }));
    const error = await artifactFailure(readTrainRecord(scratch.dir));
    expect(error.reason).toBe('corrupt-input');
    expect(error.message).toContain(`${join(scratch.dir, 'train.json')}: expected { setting, model, iterations`);
    expect(error.message).toContain(`(${problem})`);
  });
});
