// train.json: what a train stage output holds (setting, model, checkpoint iterations, final result, loss history), read by sweep and aggregate.
import { join } from 'node:path';
import { arrayField, asIteration, asObject, fieldName, iterationField, numberField, objectField, stringField, type Where } from './fields.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

/** One row of the training log: mean training loss over the iterations since the previous row. */
export interface HistoryRow {
  iteration: number;
  train_loss: number;
  lr: number;
}

export interface TrainRecord {
  setting: string;
  model: string;
  /** The checkpoint iterations, 0 and the final one included (checkpoints/it<N>.*). */
  iterations: number[];
  final_iteration: number;
  seed: number;
  backend: string;
  /** The final weights on the test set; null from a producer that did not evaluate them (synthetic or external checkpoints). */
  final: { test_loss: number; test_accuracy: number } | null;
  /** A row closes every epoch and every checkpoint. */
  history: HistoryRow[];
  /** Only for a child branched from a parent's checkpoint (instability analysis): where it started; seed is then the child's data-order seed. */
  branched_from?: BranchPoint;
}

/** The parent checkpoint a child run started from. */
export interface BranchPoint {
  iteration: number;
  parent_seed: number;
}

export const TRAIN_RECORD_FILE = 'train.json';

export async function writeTrainRecord(dir: string, r: TrainRecord): Promise<void> {
  await writeJsonFile(join(dir, TRAIN_RECORD_FILE), {
    setting: r.setting,
    model: r.model,
    iterations: r.iterations,
    final_iteration: r.final_iteration,
    seed: r.seed,
    backend: r.backend,
    final: r.final && { test_loss: r.final.test_loss, test_accuracy: r.final.test_accuracy },
    history: r.history.map((h) => ({ iteration: h.iteration, train_loss: h.train_loss, lr: h.lr })),
    // Written only for a child: a parent's train.json keeps its bytes.
    ...(r.branched_from ? { branched_from: { iteration: r.branched_from.iteration, parent_seed: r.branched_from.parent_seed } } : {}),
  });
}

/** Reads `dir`/train.json (a train stage output). */
export async function readTrainRecord(dir: string): Promise<TrainRecord> {
  const file = join(dir, TRAIN_RECORD_FILE);
  const where: Where = {
    file,
    shape:
      '{ setting, model, iterations: [..], final_iteration, seed, backend, final: { test_loss, test_accuracy } | null, history: [{ iteration, train_loss, lr }], branched_from?: { iteration, parent_seed } }',
  };
  const r = asObject(await readJsonFile(file, { what: 'the train record' }), where);
  const final = r.final === null ? null : objectField(r, 'final', where);
  const branch = r.branched_from === undefined ? undefined : objectField(r, 'branched_from', where);
  return {
    setting: stringField(r, 'setting', where),
    model: stringField(r, 'model', where),
    iterations: arrayField(r, 'iterations', where).map((value, i) => asIteration(value, where, fieldName('iterations', i))),
    final_iteration: iterationField(r, 'final_iteration', where),
    seed: numberField(r, 'seed', where),
    backend: stringField(r, 'backend', where),
    final: final && { test_loss: numberField(final, 'test_loss', where, 'final'), test_accuracy: numberField(final, 'test_accuracy', where, 'final') },
    history: arrayField(r, 'history', where).map((value, i) => {
      const field = fieldName('history', i);
      const row = asObject(value, where, field);
      return { iteration: iterationField(row, 'iteration', where, field), train_loss: numberField(row, 'train_loss', where, field), lr: numberField(row, 'lr', where, field) };
    }),
    ...(branch ? { branched_from: { iteration: iterationField(branch, 'iteration', where, 'branched_from'), parent_seed: numberField(branch, 'parent_seed', where, 'branched_from') } } : {}),
  };
}
