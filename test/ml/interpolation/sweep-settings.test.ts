// A sweep's settings: flags over params over defaults, each error naming the flag or param it came from.
import { describe, expect, it } from 'vitest';
import { parseSweepSettings } from '../../../src/ml/interpolation/sweep-settings.js';

describe('parseSweepSettings', () => {
  it('takes the defaults, then params, then flags', () => {
    expect(parseSweepSettings({})).toEqual({ points: 100, bnMode: 'interpolate', trainLoss: false });
    expect(parseSweepSettings({ points: 50, bn_mode: 'recompute', train_loss: true, batch_size: 256, workers: 2 })).toEqual({
      points: 50,
      bnMode: 'recompute',
      trainLoss: true,
      batchSize: 256,
      workers: 2,
    });
    expect(parseSweepSettings({ points: 50, bn_mode: 'recompute' }, { points: '7', bnMode: 'endpoint', trainLoss: true })).toMatchObject({ points: 7, bnMode: 'endpoint', trainLoss: true });
  });

  it.each([
    [{ points: 0 }, {}, /params.points: expected a positive integer, got 0/],
    [{ points: 2.5 }, {}, /params.points: expected a positive integer, got 2.5/],
    [{}, { points: 'ten' }, /--points: expected a positive integer, got "ten"/],
    [{ bn_mode: 'average' }, {}, /params.bn_mode: "average", expected one of interpolate, recompute, endpoint/],
    [{ train_loss: 'yes' }, {}, /params.train_loss: expected true or false, got "yes"/],
    [{}, { batchSize: '-3' }, /--batch-size: expected a positive integer/],
    [{ point: 50 }, {}, /params.point: unknown sweep setting \(known: points, bn_mode, train_loss, batch_size, workers\)/],
  ])('rejects %j with flags %j, naming the culprit', (params, flags, message) => {
    expect(() => parseSweepSettings(params, flags)).toThrow(message);
    expect(() => parseSweepSettings(params, flags)).toThrow(expect.objectContaining({ reason: 'bad-sweep-options' }));
  });
});
