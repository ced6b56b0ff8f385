// The instability analysis (Frankle et al. 2020): instability of test error (top) and loss (bottom) between two children
// branched at t, against t on a symlog axis; each setting's stability point marked, the thresholds drawn.
import type { InstabilityDocument } from '../../artifacts/instability.js';
import type { RenderParams } from '../params.js';
import type { FigureSource } from './figure-data.js';
import { symlogTicks } from './figure3.js';
import { figureConfig } from './theme.js';

export const INSTABILITY_FIGURE = 'instability';

/**
 * `settingDomain`: the order of settings in the other figures, so a setting keeps its colour; settings of the instability
 * analysis that are not in it follow.
 */
export function instabilityFigure(document: InstabilityDocument, params: RenderParams, settingDomain: readonly string[] = []): FigureSource {
  const settings = Object.keys(document.settings);
  // Only the settings analysed appear in the legend, each in the colour it has in the other figures.
  const everyOrder = [...settingDomain, ...settings.filter((s) => !settingDomain.includes(s))];
  const domain = everyOrder.filter((s) => settings.includes(s));
  const range = domain.map((s) => params.colors[everyOrder.indexOf(s) % params.colors.length]!);
  const rows = settings.flatMap((setting) =>
    document.settings[setting]!.rows.map((row) => ({
      setting,
      iteration: row.iteration,
      seed_a: row.seeds[0],
      seed_b: row.seeds[1],
      error_instability: row.error.instability,
      loss_instability: row.loss.instability,
    })),
  );
  // One mark per setting that has a stability point: a dashed vertical rule at t, in the setting's colour.
  const points = (quantity: 'error' | 'loss') =>
    settings.flatMap((setting) => {
      const t = document.settings[setting]!.stability_point[quantity];
      return t === null ? [] : [{ setting, iteration: t, label: `stable from t = ${t}` }];
    });
  const maxIteration = Math.max(1, ...rows.map((r) => r.iteration), ...settings.map((s) => document.settings[s]!.final_iteration));
  const x = {
    field: 'iteration',
    type: 'quantitative' as const,
    title: 'branch iteration t (symlog scale: t = 0 at the left edge)',
    scale: { type: 'symlog' as const, constant: 1, domain: [0, maxIteration] },
    axis: { values: symlogTicks(maxIteration), format: ',d' },
  };
  const color = { field: 'setting', type: 'nominal' as const, title: 'setting', scale: { domain, range } };
  const panel = (quantity: 'error' | 'loss', title: string, format?: string) => {
    const threshold = document.thresholds[quantity];
    return {
      width: 520,
      height: 200,
      layer: [
        {
          mark: { type: 'line' as const, strokeWidth: 2, point: true },
          encoding: { x, y: { field: `${quantity}_instability`, type: 'quantitative' as const, title, ...(format ? { axis: { format } } : {}) }, color },
        },
        {
          data: { values: [{ threshold }] },
          mark: { type: 'rule' as const, strokeDash: [2, 3], color: '#888' },
          encoding: { y: { field: 'threshold', type: 'quantitative' as const } },
        },
        {
          data: { values: points(quantity) },
          mark: { type: 'rule' as const, strokeDash: [6, 4], strokeWidth: 1.5 },
          encoding: { x: { field: 'iteration', type: 'quantitative' as const }, color },
        },
        // Named in words too: at t = 0 the rule lies on the axis.
        {
          data: { values: points(quantity) },
          mark: { type: 'text' as const, align: 'left' as const, dx: 5, fontSize: 11 },
          encoding: { x: { field: 'iteration', type: 'quantitative' as const }, y: { value: 14 }, text: { field: 'label' }, color },
        },
      ],
    };
  };
  return {
    name: INSTABILITY_FIGURE,
    columns: ['setting', 'iteration', 'seed_a', 'seed_b', 'error_instability', 'loss_instability'],
    rows,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: 'Instability: the barrier between two children trained from θ_t with different data order',
        subtitle: [
          "instability = max_x L(x) − ½(L(0) + L(1)) on the line between the children's final weights (Frankle et al. 2020)",
          `grey dotted: the thresholds (error ${fmtPercent(document.thresholds.error)}, loss ${document.thresholds.loss}); dashed: each setting's stability point`,
        ],
      },
      config: figureConfig,
      data: { values: rows },
      vconcat: [panel('error', 'error instability (% points)', '~%'), panel('loss', 'loss instability (nats)')],
    },
  };
}

function fmtPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))} %`;
}
