// The report's instability analysis: the figure's caption and computed sentence, and a section with the definitions, the
// stability points and a table per setting (the figure itself is listed with the others).
import type { InstabilityDocument } from '../artifacts/instability.js';
import { escapeHtml as e } from './escape-html.js';
import { INSTABILITY_FIGURE } from './figures/instability.js';

export const INSTABILITY_CAPTION =
  "Instability of test error (top) and loss (bottom) against the branch iteration t (symlog axis): two children start from the parent's weights θ_t, " +
  'train to the end of the recipe with different data order, and the barrier on the straight line between their final weights is measured. ' +
  "Dashed vertical lines: each setting's stability point.";

const pct = (fraction: number) => `${Number((fraction * 100).toPrecision(3))} %`;

/** One sentence per setting: where it becomes stable, and how unstable it was before. Computed, never written by hand. */
export function instabilityFinding(document: InstabilityDocument): string {
  const clauses = Object.entries(document.settings).map(([setting, s]) => {
    const point = s.stability_point.error;
    const first = s.rows[0]!;
    if (point === null) {
      const last = s.rows.at(-1)!;
      return `${setting} is not yet stable at the last t measured (t = ${last.iteration}: error instability ${pct(last.error.instability)})`;
    }
    if (point === first.iteration) return `${setting} is stable from the first t measured (t = ${point}: error instability ${pct(first.error.instability)})`;
    const before = s.rows.filter((r) => r.iteration < point);
    const worst = Math.max(...before.map((r) => r.error.instability));
    return `${setting} becomes stable at t = ${point} (error instability up to ${pct(worst)} before)`;
  });
  return `Stability point (error instability ≤ ${pct(document.thresholds.error)} from then on): ${clauses.join('; ')}.`;
}

export function instabilitySection(document: InstabilityDocument): string {
  const point = (t: number | null) => (t === null ? 'none' : e(t));
  const tables = Object.entries(document.settings).map(([setting, s]) => {
    const rows = s.rows.map(
      (r) =>
        `<tr><td>${e(r.iteration)}</td><td>${e(r.seeds.join(', '))}</td><td>${e((r.error.instability * 100).toFixed(2))}</td><td>${e((r.error.start * 100).toFixed(2))}</td><td>${e((r.error.end * 100).toFixed(2))}</td><td>${e(r.loss.instability.toFixed(4))}</td></tr>`,
    );
    return `<h3>${e(setting)}</h3>
<p>Stability point: error <strong data-stability-point="error">${point(s.stability_point.error)}</strong>, loss <strong data-stability-point="loss">${point(s.stability_point.loss)}</strong> (final iteration ${e(s.final_iteration)}).</p>
<table class="instability" data-setting="${e(setting)}"><thead>
<tr><th>t</th><th>children's seeds</th><th>error instability (% points)</th><th>child A test error (%)</th><th>child B test error (%)</th><th>loss instability (nats)</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
  });
  return `<h2 id="instability-analysis">Instability analysis</h2>
<p>Frankle, Dziugaite, Roy and Carbin (2020): two copies of the network branch from the parent's checkpoint θ_t and train to the end with different data order; the figure is <a href="#${INSTABILITY_FIGURE}">above</a>.</p>
<ul><li><code>instability</code>: ${e(document.definitions.instability)}</li>
<li><code>stability point</code>: ${e(document.definitions.stability_point)}; thresholds: error ${e(pct(document.thresholds.error))}, loss ${e(document.thresholds.loss)} nats</li></ul>
${tables.join('\n')}`;
}
