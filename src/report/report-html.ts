// Builds the self-contained index.html: figures (files beside it), final results, barrier table, provenance.
import { settingOrder, type AggregateData } from '../artifacts/aggregate-output.js';
import { BARRIER_NAMES } from '../artifacts/barriers.js';
import type { Spread } from '../artifacts/spread.js';
import { escapeHtml as e } from './escape-html.js';
import { instabilitySection } from './instability-section.js';
import type { InstabilityDocument } from '../artifacts/instability.js';
import { claimsSummary, type ClaimCheck } from './claims.js';
import type { ProvenanceRow } from './provenance.js';
import { maxSeeds } from './seeds.js';

export interface ReportFigure {
  name: string;
  caption: string;
  finding: string;
  width: number;
  height: number;
}

export interface ReportModel {
  data: AggregateData;
  figures: ReportFigure[];
  provenance: ProvenanceRow[] | null;
  /** The instability analysis, when the pipeline ran it (src/report/instability-section.ts). */
  instability?: InstabilityDocument;
  /** The paper's claims checked against this run (src/report/claims.ts). */
  claims: ClaimCheck[];
}

// Fixed decimals: barriers are differences, and float noise such as 6.9e-17 should read as 0.0000.
const num = (value: number) => e(value.toFixed(4));
const percent = (fraction: number) => e((fraction * 100).toFixed(2));

/** A number over seeds: "mean ± sd" with several seeds, the plain value with one (its sd is 0 and says nothing). */
const spread = (value: Spread, seeds: number, show: (n: number) => string) => (seeds > 1 ? `${show(value.mean)} ± ${show(value.sd)}` : show(value.mean));
const numSpread = (value: Spread, seeds: number) => spread(value, seeds, num);
const percentSpread = (value: Spread, seeds: number) => spread(value, seeds, percent);
/** Accuracy is 1 − error: its mean is 1 − the error's mean, its sd the error's sd. */
const accuracySpread = (error: Spread, seeds: number) => (seeds > 1 ? `${percent(1 - error.mean)} ± ${percent(error.sd)}` : percent(1 - error.mean));

const STYLE = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { margin-top: .4rem; } .finding { font-weight: bold; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .55rem; text-align: right; } th { background: #f4f4f4; }
td:not(.text) { white-space: nowrap; }
td.text, th.text { text-align: left; } code { font-size: .9em; }
`;

function figureSection(figure: ReportFigure): string {
  const n = e(figure.name);
  return `<figure id="${n}">
<img src="${n}.svg" alt="${e(figure.caption)}" width="${figure.width}" height="${figure.height}">
<figcaption><span class="finding">${e(figure.finding)}</span><br>${e(figure.caption)}
Files: <a href="${n}.svg">SVG</a>, <a href="${n}.png">PNG</a>, <a href="${n}.csv">data (CSV)</a>.</figcaption>
</figure>`;
}

/** Says how numbers over seeds are shown; nothing when every setting ran one seed. */
function seedsNote(data: AggregateData): string {
  if (maxSeeds(data) <= 1) return '';
  return `<p class="seeds-note">With more than one seed, a cell reads mean ± sd over the setting's seeds, where sd is the sample standard deviation (n − 1); a setting with one seed shows its single value.</p>\n`;
}

function finalTable(data: AggregateData): string {
  const rows = settingOrder(data).map((setting) => {
    const s = data.settings[setting]!;
    const n = s.seeds.length;
    return `<tr><td class="text">${e(setting)}</td><td>${e(n)}</td><td>${e(s.final_iteration)}</td><td>${accuracySpread(s.final.test_error, n)}</td><td>${percentSpread(s.final.test_error, n)}</td><td>${numSpread(s.final.test_loss, n)}</td></tr>`;
  });
  return `${seedsNote(data)}<table id="final-results"><thead><tr><th class="text">setting</th><th>seeds</th><th>final iteration T</th><th>test accuracy (%)</th><th>test error (%)</th><th>test loss (nats)</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function barrierTables(data: AggregateData): string {
  const heads = BARRIER_NAMES.map((m) => `<th>${e(m)}</th>`).join('');
  const definitions = BARRIER_NAMES.map((m, i) => `<li><code>${e(m)}</code> (${'abcd'[i]}): ${e(data.definitions[m] ?? 'not defined in barriers.json')}</li>`).join('\n');
  const tables = settingOrder(data).map((setting) => {
    const s = data.settings[setting]!;
    const n = s.seeds.length;
    const rows = [...s.rows]
      .sort((a, b) => a.iteration - b.iteration)
      .map((r) => {
        const loss = BARRIER_NAMES.map((m) => `<td>${numSpread(r.loss[m], n)}</td>`).join('');
        const error = BARRIER_NAMES.map((m) => `<td>${percentSpread(r.error[m], n)}</td>`).join('');
        return `<tr><td>${e(r.iteration)}</td>${loss}${error}</tr>`;
      });
    const over = n > 1 ? ` (mean ± sd over ${n} seeds)` : '';
    return `<h3>${e(setting)}${e(over)}</h3>
<table class="barriers" data-setting="${e(setting)}" data-seeds="${e(n)}"><thead>
<tr><th rowspan="2">t</th><th colspan="4">test loss barrier (nats)</th><th colspan="4">test error barrier (% points)</th></tr>
<tr>${heads}${heads}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
  });
  return `<ul>${definitions}</ul>\n${seedsNote(data)}${tables.join('\n')}`;
}

function claimsTable(checks: readonly ClaimCheck[]): string {
  const verdict = (value: 'holds' | 'fails' | null, none: string) => (value === null ? none : value);
  const rows = checks.map((c) => {
    const agrees = c.expected === null || c.observed === null ? '—' : c.expected === c.observed ? 'yes' : 'no';
    const seeds = c.seeds === null ? '—' : `${c.seeds.holding} of ${c.seeds.of}`;
    return `<tr data-agrees="${agrees}"><td class="text">${e(c.claim)}</td><td class="text">${e(c.setting)}</td><td class="text">${e(verdict(c.expected, 'no statement'))}</td><td class="text">${e(verdict(c.observed, 'cannot tell'))}</td><td class="text">${e(agrees)}</td><td>${e(seeds)}</td><td class="text">${e(c.evidence)}</td></tr>`;
  });
  const several = checks.some((c) => (c.seeds?.of ?? 0) > 1);
  return `<p class="finding">${e(claimsSummary(checks))}</p>
<table id="claims"><thead><tr><th class="text">claim (Frankle 2020)</th><th class="text">setting</th><th class="text">paper, for its dataset</th><th class="text">this run${several ? ' (mean over seeds)' : ''}</th><th class="text">agrees</th><th>seeds where it holds</th><th class="text">evidence</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function provenanceTable(rows: ProvenanceRow[] | null): string {
  if (rows === null) return '<p>No provenance: PIPELINE_UPSTREAM was not set (the render stage ran outside the pipeline, or without <code>provenance: true</code> in pipeline.yaml).</p>';
  const cell = (text: string) => (text === '' ? '—' : e(text));
  const body = rows.map(
    (r) =>
      `<tr><td class="text">${e(r.stage)}</td><td class="text"><code title="${e(r.output_hash)}">${cell(r.output_hash.slice(0, 12))}</code></td><td class="text">${cell(r.backend)}</td><td class="text">${cell(r.device)}</td></tr>`,
  );
  // Output hashes, not keys: an upstream stage that reruns and writes the same bytes gets a new key but
  // leaves this stage fresh, so a key shown here would go stale, and a fresh clone would write other bytes.
  // No durations or hosts: they differ on every run, and this file is an output whose hash must not.
  return `<p>Each result's output hash and where it was computed, as <code>pipeline.lock</code> records them (<code>output.hash</code>, <code>info</code>). How long each stage took, and on which host: <code>pipeline status</code>.</p>
<table id="provenance"><thead><tr><th class="text">stage</th><th class="text">output (SHA-256)</th><th class="text">backend</th><th class="text">device</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table>`;
}

export function reportHtml(model: ReportModel): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>linpath report — linear paths from checkpoints to the final weights</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Linear paths from checkpoints to the final weights</h1>
<p>Reproduction of Frankle (2020), <i>Revisiting “Qualitatively Characterizing Neural Network Optimization Problems”</i>:
test loss and error at evenly spaced points x on the line (1 − x)·θ_t + x·θ_T from the weights at iteration t to the final weights.</p>
<h2>Final results</h2>
${finalTable(model.data)}
<h2>Figures</h2>
${model.figures.map(figureSection).join('\n')}
<h2>Barriers</h2>
${barrierTables(model.data)}
${model.instability ? instabilitySection(model.instability) : ''}
<h2>The paper's claims, checked</h2>
${claimsTable(model.claims)}
<h2>Provenance</h2>
${provenanceTable(model.provenance)}
</body>
</html>
`;
}
