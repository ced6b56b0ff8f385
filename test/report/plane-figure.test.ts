// The loss-plane figure: contour tracing, what is drawn (paths, anchors, both panels), and the report that shows it.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAggregateOutput } from '../../src/artifacts/aggregate-output.js';
import { contourSegments, logLevels } from '../../src/report/figures/plane-contours.js';
import { planeFigure, planeFinding } from '../../src/report/figures/plane-figure.js';
import { DEFAULT_PARAMS } from '../../src/report/params.js';
import { rasterize, specToSvg } from '../../src/report/render-figure.js';
import { renderReport } from '../../src/report/render-report.js';
import { writeAggregateFixture } from './fixtures.js';
import { planeFixture } from './plane-fixture.js';

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));

describe('contourSegments', () => {
  it('traces a level of a plane f(a, b) = a as a vertical line through every row of cells', () => {
    const as = [0, 1, 2];
    const bs = [0, 1, 2, 3];
    const values = bs.flatMap(() => as);
    const segments = contourSegments(as, bs, values, [0.5]);
    expect(segments).toHaveLength(3);
    for (const s of segments) {
      expect([s.a, s.a2]).toEqual([0.5, 0.5]);
      expect(Math.abs(s.b2 - s.b)).toBe(1);
    }
  });

  it('resolves a saddle cell by its centre and draws two segments', () => {
    // Corners (0,0)=1, (1,0)=0, (1,1)=1, (0,1)=0: centre 0.5 > 0.4, so the low corners are cut off alone.
    const segments = contourSegments([0, 1], [0, 1], [1, 0, 0, 1], [0.4]);
    expect(segments).toHaveLength(2);
    expect(segments.map((s) => [s.a, s.b, s.a2, s.b2])).toEqual([
      [0.6, 0, 1, 0.4],
      [0.4, 1, 0, 0.6],
    ]);
  });

  it('places log levels strictly between the extremes', () => {
    const levels = logLevels([0.1, 10, 1], 3);
    expect(levels).toHaveLength(3);
    expect(levels[0]).toBeGreaterThan(0.1);
    expect(levels[2]).toBeLessThan(10);
    expect(levels[1]).toBeCloseTo(1, 10);
  });
});

describe('plane figure', () => {
  const records = [planeFixture('random'), planeFixture('path')];

  it('draws the path plane first, both panels, the two straight paths and the three anchors', async () => {
    const figure = planeFigure(records);
    expect(figure.name).toBe('planes');
    expect(figure.rows).toHaveLength(2 * 121);
    expect(figure.rows[0]).toMatchObject({ plane: '100', kind: 'path' });
    const svg = await specToSvg(figure.spec, figure.name);
    const shown = texts(svg).join('\n');
    expect(shown).toContain('mnist_lenet_300_100: the plane through θ_0, θ_100 and θ_T (T = 18760)');
    expect(shown).toContain('around θ_T along two filter-normalised random directions (seed 1)');
    for (const label of ['θ_0', 'θ_100', 'θ_T', 'test loss', 'test error', 'θ_t → θ_T (Figure 2)', 'θ_0 → θ_T (Figure 1)']) expect(shown).toContain(label);
    // Something drawn: the heat maps cover most of the panels.
    const { width, height } = rasterize(svg, 1);
    expect(width).toBeGreaterThan(500);
    expect(height).toBeGreaterThan(300);
  });

  it("states each plane's lowest loss and where it lies, from the numbers", () => {
    const finding = planeFinding(records);
    expect(finding).toContain("the plane through θ_0, θ_100 and θ_T (T = 18760): lowest test loss on the grid 0.0776 at θ_T (within one grid step); θ_T's 0.0700.");
    expect(finding.indexOf('plane through')).toBeLessThan(finding.indexOf('random directions'));
  });
});

describe('report with planes', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'linpath-planes-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes planes.svg, .png and .csv and shows the figure with its finding; without planes, no such figure', async () => {
    await writeAggregateFixture(join(dir, 'aggregate'));
    const data = await readAggregateOutput(join(dir, 'aggregate'));
    await renderReport({ data, params: DEFAULT_PARAMS, provenance: null, outDir: join(dir, 'with'), planes: [planeFixture('path')] });
    const files = await readdir(join(dir, 'with'));
    expect(files).toEqual(expect.arrayContaining(['planes.svg', 'planes.png', 'planes.csv']));
    const html = await readFile(join(dir, 'with', 'index.html'), 'utf8');
    expect(html).toContain('<img src="planes.svg"');
    expect(html).toContain('lowest test loss on the grid');
    await renderReport({ data, params: DEFAULT_PARAMS, provenance: null, outDir: join(dir, 'without'), planes: [] });
    expect(await readdir(join(dir, 'without'))).not.toContain('planes.svg');
  });
});
