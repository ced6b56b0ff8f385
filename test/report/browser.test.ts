// Opens the rendered report in headless Debian Chromium: every figure loads, nothing is fetched from off the machine;
// and a report of two seeds per setting shows its min–max bands and mean ± sd cells.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAggregateOutput } from '../../src/artifacts/aggregate-output.js';
import { DEFAULT_PARAMS } from '../../src/report/params.js';
import { provenanceFromUpstream } from '../../src/report/provenance.js';
import { renderReport } from '../../src/report/render-report.js';
import { upstreamFixture, writeAggregateFixture } from './fixtures.js';
import { instabilityFixture } from './instability-fixture.js';
import { planeFixture } from './plane-fixture.js';
import { serveDirectory } from './static-server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium; scripts/test-setup.sh does it)`);

const SCREENSHOT = join(process.cwd(), 'test-results', 'report-browser.png');
const SEEDS_SCREENSHOT = join(process.cwd(), 'test-results', 'report-browser-seeds.png');
const LOCAL = /^(http:\/\/127\.0\.0\.1[:/]|file:|data:|about:)/;

describe('report in a real browser', () => {
  let work = '';
  let server: Awaited<ReturnType<typeof serveDirectory>> | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    if (!hasChromium) return;
    work = await mkdtemp(join(tmpdir(), 'linpath-browser-'));
    const aggregate = join(work, 'aggregate');
    const out = join(work, 'site', 'report');
    await writeAggregateFixture(aggregate);
    const data = await readAggregateOutput(aggregate);
    const provenance = provenanceFromUpstream(upstreamFixture(aggregate), 'fixture');
    await renderReport({ data, params: DEFAULT_PARAMS, provenance, outDir: out, instability: instabilityFixture(), planes: [planeFixture('path'), planeFixture('random')] });
    const seeded = join(work, 'aggregate-seeds');
    await writeAggregateFixture(seeded, undefined, 100, { seeds: [1, 2] });
    await renderReport({ data: await readAggregateOutput(seeded), params: DEFAULT_PARAMS, provenance, outDir: join(work, 'site', 'seeds') });
    server = await serveDirectory(join(work, 'site'));
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.skipIf(!hasChromium)('loads every figure with a size, requests only 127.0.0.1, and is screenshotted', async () => {
    const requested: string[] = [];
    const pageErrors: string[] = [];
    context!.on('request', (request) => requested.push(request.url()));
    // Anything not local is refused as well as recorded, so a regression cannot leak a request from CI.
    await context!.route('**/*', (route) => (LOCAL.test(route.request().url()) ? route.continue() : route.abort()));
    const page = await context!.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server!.url}report/`, { waitUntil: 'load' });

    const figures = await page.evaluate(() => [
      ...[...document.images].map((img) => ({ what: img.src, ok: img.complete, width: img.naturalWidth, height: img.naturalHeight })),
      ...[...document.querySelectorAll('svg')].map((svg, i) => {
        const box = svg.getBoundingClientRect();
        return { what: `inline svg ${i}`, ok: true, width: box.width, height: box.height };
      }),
    ]);
    expect(figures.map((f) => f.what.split('/').pop())).toEqual(['figure1.svg', 'figure2.svg', 'figure3.svg', 'instability.svg', 'planes.svg']);
    for (const figure of figures) {
      expect(figure.ok, figure.what).toBe(true);
      expect(figure.width, figure.what).toBeGreaterThan(100);
      expect(figure.height, figure.what).toBeGreaterThan(100);
    }

    const offMachine = requested.filter((url) => !LOCAL.test(url));
    expect(offMachine).toEqual([]);
    expect(requested.length).toBeGreaterThanOrEqual(5); // the page and its four figures
    expect(pageErrors).toEqual([]);

    expect(await page.locator('#final-results tbody tr').count()).toBe(2);
    expect(await page.locator('table.barriers').count()).toBe(2);
    expect(await page.locator('table.instability').count()).toBe(2);
    expect(await page.locator('#provenance tbody tr').count()).toBe(4);

    await mkdir(join(process.cwd(), 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);

    // One seed: no band drawn, no ± anywhere.
    const areas = await page.evaluate(async () => Promise.all(['figure1.svg', 'figure3.svg'].map(async (f) => (await (await fetch(f)).text()).includes('mark-area'))));
    expect(areas).toEqual([false, false]);
    expect(await page.locator('table.barriers').first().innerText()).not.toContain('±');
  });

  it.skipIf(!hasChromium)('shows a two-seed report with min–max bands in Figures 1 and 3 and mean ± sd in its tables', async () => {
    const pageErrors: string[] = [];
    const page = await context!.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server!.url}seeds/`, { waitUntil: 'load' });

    const images = await page.evaluate(() => [...document.images].map((img) => ({ src: img.src.split('/').pop(), width: img.naturalWidth, height: img.naturalHeight })));
    expect(images.map((i) => i.src)).toEqual(['figure1.svg', 'figure2.svg', 'figure3.svg']);
    for (const image of images) expect(image.width, image.src).toBeGreaterThan(100);
    // The band is an area mark in the SVG the page shows; Figure 2 draws none (its caption says so).
    const areas = await page.evaluate(async () => Promise.all(['figure1.svg', 'figure2.svg', 'figure3.svg'].map(async (f) => ((await (await fetch(f)).text()).match(/mark-area/g) ?? []).length)));
    expect(areas[0]).toBeGreaterThan(0);
    expect(areas[1]).toBe(0);
    expect(areas[2]).toBeGreaterThan(0);
    expect(await page.locator('#figure1 figcaption').innerText()).toContain('band: min–max over 2 seeds');
    expect(await page.locator('#figure3 figcaption').innerText()).toContain('band: min–max over 2 seeds');
    expect(await page.locator('#figure2 figcaption').innerText()).toContain('no bands');
    expect(await page.locator('#figure1 .finding').innerText()).toContain('for every seed');

    expect(await page.locator('#final-results tbody tr').first().innerText()).toMatch(/\t2\t.*±/);
    const cell = await page.locator('table.barriers tbody tr').nth(4).locator('td').nth(1).innerText();
    expect(cell).toMatch(/^\d+\.\d{4} ± \d+\.\d{4}$/);
    expect(await page.locator('.seeds-note').first().innerText()).toContain('sample standard deviation');
    expect(await page.locator('#claims tbody tr td:nth-child(6)').first().innerText()).toBe('2 of 2');
    expect(pageErrors).toEqual([]);

    await page.screenshot({ path: SEEDS_SCREENSHOT, fullPage: true });
    expect(existsSync(SEEDS_SCREENSHOT)).toBe(true);
  });
});
