// The three figures: drawn from the right rows, titled with units, in the shipped font, with text in the PNG.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vega from 'vega';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAggregateOutput, type AggregateData } from '../../src/artifacts/aggregate-output.js';
import { figure1 } from '../../src/report/figures/figure1.js';
import { figure2 } from '../../src/report/figures/figure2.js';
import { figure3, symlogTicks } from '../../src/report/figures/figure3.js';
import { DEFAULT_PARAMS } from '../../src/report/params.js';
import { rasterize, specToSvg } from '../../src/report/render-figure.js';
import { useShippedFontMetrics } from '../../src/report/text-metrics.js';
import { CIFAR, MNIST, writeAggregateFixture } from './fixtures.js';

let dir = '';
let data: AggregateData;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linpath-figures-'));
  await writeAggregateFixture(dir, [MNIST, CIFAR], 21);
  data = await readAggregateOutput(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The text of every <text> element, one entry per line (multi-line texts are <tspan>s). */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].flatMap((m) => m[1]!.split(/<[^>]+>/).filter((line) => line !== ''));
const fontFamilies = (svg: string) => new Set([...svg.matchAll(/font-family="([^"]*)"/g)].map((m) => m[1]!));

/** Pixels that are clearly not white. */
function inked(svg: string): number {
  const pixels = rasterize(svg, 1).pixels; // RGBA
  let count = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! + pixels[i + 1]! + pixels[i + 2]! < 600 && pixels[i + 3]! > 0) count++;
  return count;
}

describe('figure data', () => {
  it("figure 1 draws only each setting's initialization curve", () => {
    const { rows, columns } = figure1(data, DEFAULT_PARAMS);
    expect(columns).toEqual(['setting', 'iteration', 'x', 'seeds', 'test_loss', 'test_loss_min', 'test_loss_max', 'test_error', 'test_error_min', 'test_error_max']);
    expect(new Set(rows.map((r) => r.iteration))).toEqual(new Set([0]));
    expect(rows).toHaveLength(2 * 21);
  });

  it('figure 2 draws every checkpoint of every setting', () => {
    const { rows } = figure2(data, DEFAULT_PARAMS);
    expect(rows).toHaveLength(data.curves.length);
    expect(new Set(rows.filter((r) => r.setting === CIFAR.name).map((r) => r.iteration))).toEqual(new Set(CIFAR.checkpoints));
  });

  it('figure 3 draws the above-start barrier of loss and error per t', () => {
    const { rows } = figure3(data, DEFAULT_PARAMS);
    const mnist = data.settings[MNIST.name]!.rows;
    expect(rows.filter((r) => r.setting === MNIST.name)).toEqual(
      mnist.map((r) => ({
        setting: MNIST.name,
        iteration: r.iteration,
        seeds: 1,
        loss_above_start: r.loss.above_start.mean,
        loss_above_start_min: r.loss.above_start.mean,
        loss_above_start_max: r.loss.above_start.mean,
        error_above_start: r.error.above_start.mean,
        error_above_start_min: r.error.above_start.mean,
        error_above_start_max: r.error.above_start.mean,
      })),
    );
  });

  it('labels the symlog axis at 0 and the powers of ten within the data', () => {
    expect(symlogTicks(62400)).toEqual([0, 1, 10, 100, 1000, 10000]);
    expect(symlogTicks(0)).toEqual([0]);
  });
});

describe('rendered figures', () => {
  it('use the shipped font for every text and carry axis titles with units and the barrier definition', async () => {
    const svgs = await Promise.all([figure1, figure2, figure3].map((f) => specToSvg(f(data, DEFAULT_PARAMS).spec, 'test')));
    for (const svg of svgs) expect(fontFamilies(svg)).toEqual(new Set(['DejaVu Sans']));
    expect(texts(svgs[0]!)).toEqual(expect.arrayContaining(['test loss (mean cross-entropy, nats)', 'test error (%)', MNIST.name, CIFAR.name]));
    expect(texts(svgs[1]!)).toEqual(expect.arrayContaining(['checkpoint t (iteration)', String(CIFAR.checkpoints[3])]));
    const figure3Texts = texts(svgs[2]!).join('\n');
    expect(figure3Texts).toContain('max_x L(x) − L(0)');
    expect(figure3Texts).toContain('max increase in test loss (nats)');
    expect(texts(svgs[2]!)).toEqual(expect.arrayContaining(['0', '1', '10', '1,000']));
  });

  it('draw their text into the PNG from the shipped font, with no system fonts', async () => {
    const svg = await specToSvg(figure1(data, DEFAULT_PARAMS).spec, 'figure1');
    const withoutText = svg.replace(/<text[^>]*>[\s\S]*?<\/text>/g, '');
    expect(inked(svg)).toBeGreaterThan(inked(withoutText) + 2000);
  });

  it('measure labels with the font rather than a per-character guess', () => {
    useShippedFontMetrics();
    const metrics = (vega as unknown as { textMetrics: { width: (item: object, text: string) => number } }).textMetrics;
    const narrow = metrics.width({ fontSize: 12 }, 'iiiiiiii');
    const wide = metrics.width({ fontSize: 12 }, 'WWWWWWWW');
    expect(narrow).toBeLessThan(wide / 2);
    expect(metrics.width({ fontSize: 12, fontWeight: 'bold' }, 'test loss')).toBeGreaterThan(metrics.width({ fontSize: 12 }, 'test loss'));
  });
});
