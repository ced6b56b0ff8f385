// The paper's claims, checked from the numbers: MNIST-like and CIFAR-like curves give the verdicts the paper reports.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAggregateOutput, type AggregateData } from '../../src/artifacts/aggregate-output.js';
import { checkClaims, claimsSummary } from '../../src/report/claims.js';
import { DEFAULT_PARAMS } from '../../src/report/params.js';
import { CIFAR, MNIST, writeAggregateFixture, type FixtureSetting } from './fixtures.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linpath-claims-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function dataFor(name: string, settings: FixtureSetting[]): Promise<AggregateData> {
  await writeAggregateFixture(join(dir, name), settings, 101);
  return readAggregateOutput(join(dir, name));
}

const verdicts = (data: AggregateData, params = DEFAULT_PARAMS) => checkClaims(data, params).map((c) => `${c.setting}: ${c.claim.slice(0, 41)} | paper ${c.expected} | run ${c.observed}`);

describe('checkClaims', () => {
  it('finds the MNIST bowl monotone, convex and fast to fall, and the CIFAR cliff monotone, above its chord and high until late', async () => {
    const data = await dataFor('both', [MNIST, CIFAR]);
    expect(verdicts(data)).toEqual([
      'mnist_lenet_300_100: Along the line from initialization to the | paper holds | run holds',
      'cifar_resnet_20: Along the line from initialization to the | paper holds | run holds',
      'mnist_lenet_300_100: From initialization the path is approxima | paper holds | run holds',
      'cifar_resnet_20: From initialization the path is approxima | paper fails | run fails',
      'mnist_lenet_300_100: From initialization the loss remains high | paper fails | run fails',
      'cifar_resnet_20: From initialization the loss remains high | paper holds | run holds',
      'mnist_lenet_300_100: Training quickly becomes linearly separat | paper null | run holds',
      'cifar_resnet_20: Training quickly becomes linearly separat | paper holds | run holds',
    ]);
    expect(claimsSummary(checkClaims(data, DEFAULT_PARAMS))).toBe("This run agrees with the paper on 7 of 7 checks where the paper makes a statement for the setting's dataset.");
  });

  it('shows the numbers and thresholds behind each verdict, and follows the thresholds', async () => {
    const data = await dataFor('thresholds', [CIFAR]);
    const [, , plateau, separated] = checkClaims(data, DEFAULT_PARAMS);
    expect(plateau!.evidence).toMatch(/^falls below halfway between its ends at x = 0\.9\d \(≥ 0\.5\)$/);
    expect(separated!.evidence).toMatch(/^largest rise above the start for 0 < t ≤ 0\.1·T: \d\.\d{4} nats at t = \d+ \(> 0\.1\)$/);
    const strict = checkClaims(data, { ...DEFAULT_PARAMS, plateau_x: 0.99, loss_threshold: 5 });
    expect(strict.map((c) => c.observed)).toEqual(['holds', 'holds', 'fails', 'fails']);
  });

  it('compares nothing where the dataset is unknown or iteration 0 was not swept', async () => {
    const data = await dataFor('unknown', [{ ...MNIST, dataset: undefined, checkpoints: [10, 100, 18760] }]);
    const checks = checkClaims(data, DEFAULT_PARAMS);
    expect(checks.map((c) => [c.expected, c.observed])).toEqual([
      [null, null],
      [null, null],
      [null, null],
      [null, 'holds'],
    ]);
    expect(checks[0]!.evidence).toBe('iteration 0 was not swept');
    expect(claimsSummary(checks)).toMatch(/^No check can be compared with the paper/);
  });
});
