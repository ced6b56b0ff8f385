// Opens the rendered report in headless Debian Chromium: every figure loads, nothing is fetched from off the machine.
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

describe('report in a real browser', () => {
  let work = '';
  let server: Awaited<ReturnType<typeof serveDirectory>> | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    if (!hasChromium) return;
    work = await mkdtemp(join(tmpdir(), 'linpath-browser-'));
    const aggregate = join(work, 'aggregate');
    const out = join(work, 'report');
    await writeAggregateFixture(aggregate);
    const data = await readAggregateOutput(aggregate);
    const provenance = provenanceFromUpstream(upstreamFixture(aggregate), 'fixture');
    await renderReport({ data, params: DEFAULT_PARAMS, provenance, outDir: out, instability: instabilityFixture(), planes: [planeFixture('path'), planeFixture('random')] });
    server = await serveDirectory(out);
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
    await context!.route('**/*', (route) => (/^(http:\/\/127\.0\.0\.1[:/]|file:|data:|about:)/.test(route.request().url()) ? route.continue() : route.abort()));
    const page = await context!.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server!.url, { waitUntil: 'load' });

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

    const offMachine = requested.filter((url) => !/^(http:\/\/127\.0\.0\.1[:/]|file:|data:|about:)/.test(url));
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
  });
});
