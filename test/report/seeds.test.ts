// Several seeds per setting: figures draw the mean over a min–max band, tables read mean ± sd, and every sentence and
// claim is computed on the mean and says whether each seed agrees.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAggregateOutput, type AggregateData } from '../../src/artifacts/aggregate-output.js';
import { checkClaims, claimsSummary } from '../../src/report/claims.js';
import { ReportError } from '../../src/report/errors.js';
import { bandNote } from '../../src/report/figures/bands.js';
import { figure1 } from '../../src/report/figures/figure1.js';
import { figure2 } from '../../src/report/figures/figure2.js';
import { figure3 } from '../../src/report/figures/figure3.js';
import { figure1Finding, figure2Finding, figure3Finding } from '../../src/report/findings.js';
import { DEFAULT_PARAMS } from '../../src/report/params.js';
import { reportHtml } from '../../src/report/report-html.js';
import { meanCurve } from '../../src/report/seeds.js';
import { CIFAR, MNIST, fixtureCurve, writeAggregateFixture, type FixtureOptions, type SeedCurve } from './fixtures.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linpath-seeds-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function dataFor(name: string, options: FixtureOptions, points = 21): Promise<AggregateData> {
  await writeAggregateFixture(join(dir, name), [MNIST, CIFAR], points, options);
  return readAggregateOutput(join(dir, name));
}

/** Seed 1 is 0.1 nats and 2 error points below the fixture curve, seed 2 as far above: the mean is the fixture curve. */
const plusMinus: SeedCurve = (setting, _seed, index, t, x) => {
  const base = fixtureCurve(setting, t, x);
  const sign = index === 0 ? -1 : 1;
  return { loss: base.loss + sign * 0.1, error: base.error + sign * 0.02 };
};

/** Seeds 1–3 follow the setting's shape; seed 4 the other one (an MNIST bowl among cliffs, a cliff among bowls). */
const oneOdd: SeedCurve = (setting, _seed, index, t, x) => fixtureCurve(index === 3 ? { ...setting, shape: setting.shape === 'convex' ? 'cliff' : 'convex' } : setting, t, x);

/** The spec without its data rows (which always carry the seed columns). */
const specText = (f: typeof figure1, data: AggregateData) => JSON.stringify({ ...f(data, DEFAULT_PARAMS).spec, data: null });

describe('figures over seeds', () => {
  it('carry the mean, min and max of two seeds point by point, and the number of seeds', async () => {
    const data = await dataFor('plus-minus', { seeds: [1, 2], curve: plusMinus });
    const rows = figure1(data, DEFAULT_PARAMS).rows.filter((r) => r.setting === MNIST.name);
    expect(rows).toHaveLength(21);
    for (const row of rows) {
      const base = fixtureCurve(MNIST, 0, row.x as number);
      expect(row.seeds).toBe(2);
      expect(row.test_loss).toBeCloseTo(base.loss, 12);
      expect(row.test_loss_min).toBeCloseTo(base.loss - 0.1, 12);
      expect(row.test_loss_max).toBeCloseTo(base.loss + 0.1, 12);
      expect(row.test_error).toBeCloseTo(base.error, 12);
      expect(row.test_error_min).toBeCloseTo(base.error - 0.02, 12);
      expect(row.test_error_max).toBeCloseTo(base.error + 0.02, 12);
    }
    const figure2Rows = figure2(data, DEFAULT_PARAMS).rows;
    expect(figure2Rows).toHaveLength(data.curves.length / 2);
    const cifar400 = figure2Rows.find((r) => r.setting === CIFAR.name && r.iteration === 400 && r.x === 0.5)!;
    expect(cifar400.test_loss_max as number).toBeCloseTo((cifar400.test_loss as number) + 0.1, 12);

    const { rows: barrierRows, columns } = figure3(data, DEFAULT_PARAMS);
    expect(columns).toEqual([
      'setting',
      'iteration',
      'seeds',
      'loss_above_start',
      'loss_above_start_min',
      'loss_above_start_max',
      'error_above_start',
      'error_above_start_min',
      'error_above_start_max',
    ]);
    const spread = data.settings[MNIST.name]!.rows[4]!.loss.above_start;
    expect(barrierRows[4]).toMatchObject({
      setting: MNIST.name,
      iteration: MNIST.checkpoints[4],
      seeds: 2,
      loss_above_start: spread.mean,
      loss_above_start_min: spread.min,
      loss_above_start_max: spread.max,
    });
  });

  it('draw a min–max band and say so only where some setting has more than one seed; Figure 2 draws none', async () => {
    const one = await dataFor('one', {});
    const two = await dataFor('two', { seeds: [1, 2] });
    for (const f of [figure1, figure2, figure3]) expect(specText(f, one)).not.toContain('"area"');
    for (const f of [figure1, figure2, figure3]) expect(specText(f, one)).not.toContain('seeds');
    for (const f of [figure1, figure3]) {
      expect(specText(f, two)).toContain('"type":"area"');
      expect(specText(f, two)).toContain('band: min–max over 2 seeds');
    }
    expect(specText(figure2, two)).not.toContain('"area"');
    expect(specText(figure2, two)).toContain('no bands');
  });

  it('names settings without a band when seed counts differ', async () => {
    const two = await dataFor('mixed', { seeds: [1, 2] });
    const mixed = { ...two, settings: { ...two.settings, [CIFAR.name]: { ...two.settings[CIFAR.name]!, seeds: [two.settings[CIFAR.name]!.seeds[0]!] } } };
    expect(bandNote(mixed)).toBe('line: mean over seeds; band: min–max over 2 seeds; settings with one seed have no band');
    expect(bandNote(await dataFor('single', {}))).toBeNull();
  });

  it('refuse to average seeds whose curves are sampled at different x, naming the setting', async () => {
    const data = await dataFor('grid', { seeds: [1, 2] });
    const shifted = { ...data, curves: data.curves.map((p) => (p.setting === CIFAR.name && p.seed === 2 && p.iteration === 0 && p.x === 0.5 ? { ...p, x: 0.51 } : p)) };
    expect(() => meanCurve(shifted, CIFAR.name, 0)).toThrow(ReportError);
    expect(() => figure1(shifted, DEFAULT_PARAMS)).toThrow(/^cifar_resnet_20: the seeds' curves from t = 0 are not sampled at the same x \(point 10 is at x = 0\.5 for seed 1, x = 0\.51 for seed 2\)/);
    const shorter = { ...data, curves: data.curves.filter((p) => !(p.setting === MNIST.name && p.seed === 1 && p.iteration === 100 && p.x === 1)) };
    expect(() => figure2(shorter, DEFAULT_PARAMS)).toThrow(/^mnist_lenet_300_100: the seeds' curves from t = 100 are not sampled at the same x \(seed 1 has 20 points, seed 2 21\)/);
    expect(meanCurve(data, CIFAR.name, 0)).toHaveLength(21);
  });
});

describe('tables over seeds', () => {
  it('read mean ± sd (sample sd) with several seeds and the plain value with one, with a seeds column', async () => {
    const data = await dataFor('table', { seeds: [1, 2], curve: plusMinus });
    const html = reportHtml({ data, figures: [], provenance: null, claims: [] });
    const final = fixtureCurve(MNIST, MNIST.finalIteration, 1);
    // Two seeds 0.2 apart: sd = 0.1·√2.
    expect(html).toContain(
      `<tr><td class="text">${MNIST.name}</td><td>2</td><td>${MNIST.finalIteration}</td><td>${((1 - final.error) * 100).toFixed(2)} ± 2.83</td><td>${(final.error * 100).toFixed(2)} ± 2.83</td><td>${final.loss.toFixed(4)} ± 0.1414</td></tr>`,
    );
    const row = data.settings[CIFAR.name]!.rows[2]!;
    expect(html).toContain(`<td>${row.loss.lmc.mean.toFixed(4)} ± ${row.loss.lmc.sd.toFixed(4)}</td>`);
    expect(html).toContain(`<td>${(row.error.above_start.mean * 100).toFixed(2)} ± ${(row.error.above_start.sd * 100).toFixed(2)}</td>`);
    expect(html).toContain(`<h3>${CIFAR.name} (mean ± sd over 2 seeds)</h3>`);
    expect(html).toContain('sd is the sample standard deviation (n − 1)');

    const single = reportHtml({ data: await dataFor('table-one', {}), figures: [], provenance: null, claims: [] });
    expect(single).not.toContain('±');
    expect(single).not.toContain('standard deviation');
    expect(single).toContain(`<tr><td class="text">${MNIST.name}</td><td>1</td><td>${MNIST.finalIteration}</td>`);
  });
});

describe('sentences over seeds', () => {
  it('say a finding holds for every seed when each seed agrees with the mean', async () => {
    const data = await dataFor('every', { seeds: [1, 2, 3] }, 101);
    const one = figure1Finding(data, DEFAULT_PARAMS);
    expect(one).toMatch(/^Along the line from initialization, the test loss, averaged over seeds, first falls below halfway/);
    expect(one).toMatch(/for mnist_lenet_300_100 at x = 0\.\d\d \([^)]*\), before x = 0\.5 for every seed \(x = 0\.\d\d–0\.\d\d\)/);
    expect(one).toMatch(/for cifar_resnet_20 at x = 0\.9\d \([^)]*\), at or after x = 0\.5 for every seed \(x = 0\.9\d\)/);
    expect(figure2Finding(data, DEFAULT_PARAMS)).toMatch(/for cifar_resnet_20 at x = 0\.9\d from t = 0 and x = 0\.9\d from t = 25600, each on the same side of x = 0\.5 for every seed\.$/);
    expect(figure3Finding(data, DEFAULT_PARAMS)).toMatch(/cifar_resnet_20 at t = 100 in loss and at t = 100 in error \(largest mean loss barrier [\d.]+ nats, at t = \d+\), for every seed\.$/);
  });

  it('say a finding holds on average only, with how many seeds and what the others show', async () => {
    const data = await dataFor('average', { seeds: [1, 2, 3, 4], curve: oneOdd }, 101);
    const one = figure1Finding(data, DEFAULT_PARAMS);
    expect(one).toMatch(/for mnist_lenet_300_100 at x = 0\.\d\d \([^)]*\), before x = 0\.5 on average only \(3 of 4 seeds; seed 4 at x = 0\.9\d\)/);
    expect(one).toMatch(/for cifar_resnet_20 at x = 0\.\d\d \([^)]*\), at or after x = 0\.5 on average only \(3 of 4 seeds; seed 4 at x = 0\.[0-4]\d\)/);
    expect(figure2Finding(data, DEFAULT_PARAMS)).toContain('each on the same side of x = 0.5 on average only (3 of 4 seeds; seed 4: x = ');
    // Seeds that disagree alike are named together.
    expect(figure3Finding(data, DEFAULT_PARAMS)).toContain('on average only (1 of 4 seeds; seeds 1, 2 and 3 at t = 100 in loss and at t = 300 in error)');
    const three = figure3Finding(await dataFor('figure3-average', { seeds: [1, 2, 3] }), DEFAULT_PARAMS);
    expect(three).toMatch(/^Barrier \(a\), averaged over seeds, first exceeds/);
    expect(three).toMatch(
      /mnist_lenet_300_100 at t = 100 in loss and at t = 100 in error \(largest mean loss barrier [\d.]+ nats, at t = 1000\), on average only \(2 of 3 seeds; seed 1 at t = 100 in loss and at t = 300 in error\)/,
    );
  });

  it('leave single-seed sentences as they were', async () => {
    const data = await dataFor('single-sentences', {});
    for (const sentence of [figure1Finding(data), figure2Finding(data), figure3Finding(data, DEFAULT_PARAMS)]) expect(sentence).not.toMatch(/seed|averaged|mean/);
  });
});

describe('claims over seeds', () => {
  it('give the verdict on the mean, for how many seeds the claim holds, and when every seed agrees with the paper', async () => {
    const every = checkClaims(await dataFor('claims-every', { seeds: [1, 2, 3] }, 101), DEFAULT_PARAMS);
    expect(every.map((c) => c.seeds)).toEqual([3, 3, 3, 0, 0, 3, 3, 3].map((holding) => ({ holding, of: 3 })));
    expect(every[0]!.evidence).toMatch(/\(mean over 3 seeds\); holds for every seed$/);
    expect(every[3]!.evidence).toMatch(/ \(mean over 3 seeds\); fails for every seed$/);
    expect(claimsSummary(every)).toBe(
      "This run agrees with the paper on 7 of 7 checks where the paper makes a statement for the setting's dataset (on the mean over seeds); every seed agrees with the paper on 7 of 7.",
    );

    const average = checkClaims(await dataFor('claims-average', { seeds: [1, 2, 3, 4], curve: oneOdd }, 101), DEFAULT_PARAMS);
    const [mnistPlateau, cifarPlateau] = average.filter((c) => c.claim.startsWith('From initialization the loss remains high'));
    expect(mnistPlateau).toMatchObject({ expected: 'fails', observed: 'fails', seeds: { holding: 1, of: 4 } });
    expect(mnistPlateau!.evidence).toMatch(/\(< 0\.5\) \(mean over 4 seeds\); fails on average, though it holds for 1 of 4 seeds$/);
    expect(cifarPlateau).toMatchObject({ expected: 'holds', observed: 'holds', seeds: { holding: 3, of: 4 } });
    expect(cifarPlateau!.evidence).toMatch(/\(≥ 0\.5\) \(mean over 4 seeds\); holds on average only \(3 of 4 seeds\)$/);
    const html = reportHtml({ data: await dataFor('claims-html', { seeds: [1, 2, 3, 4], curve: oneOdd }, 101), figures: [], provenance: null, claims: average });
    expect(html).toContain('<th class="text">this run (mean over seeds)</th><th class="text">agrees</th><th>seeds where it holds</th>');
    expect(html).toContain('<td class="text">yes</td><td>3 of 4</td>');
    // The mean over seeds agrees on all but MNIST's convexity (one cliff among four seeds lifts the mean rise above the
    // chord); every seed agrees only on the two monotonicity checks and CIFAR's early barriers.
    expect(claimsSummary(average)).toBe(
      "This run agrees with the paper on 6 of 7 checks where the paper makes a statement for the setting's dataset (on the mean over seeds); every seed agrees with the paper on 3 of 7.",
    );
  });

  it('say nothing about seeds with one seed', async () => {
    const checks = checkClaims(await dataFor('claims-one', {}, 101), DEFAULT_PARAMS);
    expect(checks.every((c) => c.seeds?.of === 1 && !c.evidence.includes('seed'))).toBe(true);
    expect(claimsSummary(checks)).toBe("This run agrees with the paper on 7 of 7 checks where the paper makes a statement for the setting's dataset.");
  });
});
