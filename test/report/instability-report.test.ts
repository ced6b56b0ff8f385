// The instability figure and the report's instability section: drawn from the right rows, stability points marked,
// every sentence computed from the numbers, and absent when the pipeline ran no analysis.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAggregateOutput, type AggregateData } from '../../src/artifacts/aggregate-output.js';
import { instabilityFigure } from '../../src/report/figures/instability.js';
import { instabilityFinding, instabilitySection } from '../../src/report/instability-section.js';
import { DEFAULT_PARAMS } from '../../src/report/params.js';
import { renderReport } from '../../src/report/render-report.js';
import { specToSvg } from '../../src/report/render-figure.js';
import { CIFAR, MNIST, writeAggregateFixture } from './fixtures.js';
import { instabilityFixture } from './instability-fixture.js';

let dir = '';
let data: AggregateData;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linpath-instability-report-'));
  await writeAggregateFixture(join(dir, 'aggregate'), [MNIST, CIFAR], 21);
  data = await readAggregateOutput(join(dir, 'aggregate'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].flatMap((m) => m[1]!.split(/<[^>]+>/).filter((line) => line !== ''));

describe('instability figure', () => {
  it('has one row per (setting, t), a symlog t axis, and each setting in the colour it has in the other figures', () => {
    const source = instabilityFigure(instabilityFixture(), DEFAULT_PARAMS, ['cifar_resnet_20', 'mnist_lenet_300_100', 'unanalysed']);
    expect(source.rows.map((r) => `${r.setting}@${r.iteration}`)).toEqual([
      'mnist_lenet_300_100@0',
      'mnist_lenet_300_100@10',
      'mnist_lenet_300_100@100',
      'mnist_lenet_300_100@1000',
      'cifar_resnet_20@0',
      'cifar_resnet_20@2000',
    ]);
    const spec = JSON.stringify(source.spec);
    expect(spec).toContain('"type":"symlog"');
    expect(spec).toContain(`"domain":["cifar_resnet_20","mnist_lenet_300_100"],"range":["${DEFAULT_PARAMS.colors[0]}","${DEFAULT_PARAMS.colors[1]}"]`);
  });

  it('renders to SVG with its title, axis titles and a marked stability point', async () => {
    const svg = await specToSvg(instabilityFigure(instabilityFixture(), DEFAULT_PARAMS, []).spec, 'instability');
    const lines = texts(svg);
    expect(lines.some((l) => l.startsWith('Instability: the barrier between two children'))).toBe(true);
    expect(lines).toContain('error instability (% points)');
    expect(lines).toContain('loss instability (nats)');
    expect(lines.filter((l) => l.startsWith('branch iteration t'))).toHaveLength(2);
    // Stability-point rules: dashed, one per setting that has one (MNIST, in error and loss): two dashed vertical lines.
    expect((svg.match(/stroke-dasharray="6,4"/g) ?? []).length).toBe(2);
  });
});

describe('instability in the report', () => {
  it('says where each setting becomes stable, from the numbers', () => {
    expect(instabilityFinding(instabilityFixture())).toBe(
      'Stability point (error instability ≤ 2 % from then on): mnist_lenet_300_100 becomes stable at t = 100 (error instability up to 30 % before); ' +
        'cifar_resnet_20 is not yet stable at the last t measured (t = 2000: error instability 20 %).',
    );
    const stableAtOnce = instabilityFixture();
    stableAtOnce.settings = { only: { ...stableAtOnce.settings.mnist_lenet_300_100!, stability_point: { error: 0, loss: 0 } } };
    expect(instabilityFinding(stableAtOnce)).toContain('only is stable from the first t measured (t = 0: error instability 30 %)');
  });

  it('has a table per setting with the stability points', () => {
    const html = instabilitySection(instabilityFixture());
    expect(html).toContain('<h2 id="instability-analysis">');
    expect(html.match(/<table class="instability"/g)).toHaveLength(2);
    expect(html).toContain('<strong data-stability-point="error">100</strong>');
    expect(html).toContain('<strong data-stability-point="error">none</strong>');
    expect(html).toContain('<tr><td>100</td><td>2, 3</td><td>1.00</td><td>2.00</td><td>2.00</td><td>0.0300</td></tr>');
  });

  it('renderReport adds the figure and the section when given the analysis, and nothing otherwise', async () => {
    const withIt = join(dir, 'with');
    const without = join(dir, 'without');
    await renderReport({ data, params: DEFAULT_PARAMS, provenance: null, outDir: withIt, instability: instabilityFixture() });
    await renderReport({ data, params: DEFAULT_PARAMS, provenance: null, outDir: without });
    expect((await readdir(withIt)).filter((f) => f.startsWith('instability'))).toEqual(['instability.csv', 'instability.png', 'instability.svg']);
    expect((await readdir(without)).filter((f) => f.startsWith('instability'))).toEqual([]);
    const html = await readFile(join(withIt, 'index.html'), 'utf8');
    expect(html).toContain('<img src="instability.svg"');
    expect(html).toContain('Instability analysis');
    expect(await readFile(join(without, 'index.html'), 'utf8')).not.toContain('instability');
    // Switched off (an empty analysis): the same report as without one.
    const off = join(dir, 'off');
    await renderReport({ data, params: DEFAULT_PARAMS, provenance: null, outDir: off, instability: { ...instabilityFixture(), settings: {} } });
    expect(await readFile(join(off, 'index.html'), 'utf8')).toBe(await readFile(join(without, 'index.html'), 'utf8'));
  }, 60_000);
});
