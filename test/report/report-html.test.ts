// index.html: every table and figure present, data HTML-escaped, nothing that would fetch from the network.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAggregateOutput } from '../../src/artifacts/aggregate-output.js';
import { checkClaims } from '../../src/report/claims.js';
import { DEFAULT_PARAMS } from '../../src/report/params.js';
import { provenanceFromUpstream } from '../../src/report/provenance.js';
import { renderReport } from '../../src/report/render-report.js';
import { reportHtml } from '../../src/report/report-html.js';
import { MNIST, runSpecificUpstream, upstreamFixture, writeAggregateFixture } from './fixtures.js';

const HOSTILE = '<img src=x onerror=alert(1)>&"\'';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linpath-html-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('renderReport', () => {
  it('writes the figures, their data and index.html linking them, with the final results and barrier values', async () => {
    const aggregate = join(dir, 'aggregate');
    await writeAggregateFixture(aggregate, [MNIST], 11);
    const data = await readAggregateOutput(aggregate);
    const out = join(dir, 'out');
    const written = await renderReport({ data, params: DEFAULT_PARAMS, provenance: null, outDir: out });
    expect(written.sort()).toEqual(
      ['figure1', 'figure2', 'figure3']
        .flatMap((f) => [`${f}.csv`, `${f}.png`, `${f}.svg`])
        .concat('index.html')
        .sort(),
    );
    const html = await readFile(join(out, 'index.html'), 'utf8');
    for (const f of ['figure1', 'figure2', 'figure3']) expect(html).toContain(`<img src="${f}.svg"`);
    const summary = data.settings[MNIST.name]!;
    expect(html).toContain(`<td>${((1 - summary.final.test_error.mean) * 100).toFixed(2)}</td>`);
    const peak = summary.rows[5]!;
    expect(html).toContain(`<td>${peak.loss.lmc.mean.toFixed(4)}</td>`);
    expect(html).toContain(`<td>${(peak.error.largest_bump.mean * 100).toFixed(2)}</td>`);
    expect(html).toContain('PIPELINE_UPSTREAM was not set');
    expect(html).toContain('<table id="claims">');
    expect(html).toContain('This run agrees with the paper on 3 of 3 checks');
    const png = await readFile(join(out, 'figure1.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const csv = (await readFile(join(out, 'figure3.csv'), 'utf8')).split('\n');
    expect(csv[0]).toBe('setting,iteration,seeds,loss_above_start,loss_above_start_min,loss_above_start_max,error_above_start,error_above_start_min,error_above_start_max');
    expect(csv).toHaveLength(MNIST.checkpoints.length + 2); // header, rows, final empty line
  });
});

describe('renderReport reruns', () => {
  it('write byte-identical files (pipeline verify compares outputs exactly)', async () => {
    const aggregate = join(dir, 'twice');
    await writeAggregateFixture(aggregate, [MNIST], 11);
    const data = await readAggregateOutput(aggregate);
    const render = async (name: string) => {
      const out = join(dir, name);
      const files = await renderReport({ data, params: DEFAULT_PARAMS, provenance: null, outDir: out });
      return Promise.all(files.sort().map(async (f) => [f, (await readFile(join(out, f))).toString('base64')]));
    };
    expect(await render('first')).toEqual(await render('second'));
  });
});

describe('reportHtml', () => {
  it('escapes everything that comes from data and references nothing off the page', async () => {
    const aggregate = join(dir, 'hostile');
    await writeAggregateFixture(aggregate, [{ ...MNIST, name: 'mnist' }], 11);
    const data = await readAggregateOutput(aggregate);
    data.settings[HOSTILE] = data.settings.mnist!;
    data.definitions.lmc = HOSTILE;
    const upstream = upstreamFixture(aggregate) as Record<string, unknown>;
    upstream[HOSTILE] = { key: HOSTILE, output_hash: HOSTILE, info: { backend: HOSTILE, device: HOSTILE } };
    const html = reportHtml({
      data,
      figures: [{ name: 'figure1', caption: HOSTILE, finding: HOSTILE, width: 10, height: 10 }],
      provenance: provenanceFromUpstream(upstream, 'u'),
      claims: checkClaims(data, DEFAULT_PARAMS),
    });
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;');
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html.match(/<tr><td class="text">/g)?.length).toBe(2 + Object.keys(upstream).length); // settings + provenance
  });

  it('shows output hashes, backends and devices in provenance; no keys, timings or hosts: they are not functions of the inputs', async () => {
    const aggregate = join(dir, 'provenance');
    await writeAggregateFixture(aggregate, [MNIST], 5);
    const data = await readAggregateOutput(aggregate);
    const html = (upstream: unknown) => reportHtml({ data, figures: [], provenance: provenanceFromUpstream(upstream, 'u'), claims: [] });
    const shown = html(upstreamFixture(aggregate));
    expect(shown).toContain('<th class="text">stage</th><th class="text">output (SHA-256)</th><th class="text">backend</th><th class="text">device</th></tr>');
    expect(shown).toContain(
      '<td class="text">train@mnist_lenet_300_100</td><td class="text"><code title="5e1f5e1f5e1f5e1f5e1f5e1f5e1f5e1f">5e1f5e1f5e1f</code></td><td class="text">wasm</td><td class="text">cpu</td></tr>',
    );
    for (const entry of Object.values(upstreamFixture(aggregate))) expect(shown).not.toContain(entry.key.slice(0, 12));
    expect(shown).toContain('<code>pipeline status</code>');
    expect(shown).not.toMatch(/duration|ran on|host-/i);
    expect(html(runSpecificUpstream(aggregate, 1))).toBe(shown);
    expect(html(runSpecificUpstream(aggregate, 2))).toBe(shown);
  });
});
