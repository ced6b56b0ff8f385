// Figure 3: the largest rise of loss (top) and error (bottom) above the start of the path, against t on a symlog axis:
// per setting the mean over its seeds, over a min–max band where it has more than one.
import { settingOrder, type AggregateData } from '../../artifacts/aggregate-output.js';
import type { RenderParams } from '../params.js';
import { bandNote, bandedPanel } from './bands.js';
import type { FigureSource } from './figure-data.js';
import { figureConfig } from './theme.js';

/** Tick values 0, 1, 10, 100, … up to the largest t: a symlog axis otherwise labels odd in-between values. */
export function symlogTicks(maxIteration: number): number[] {
  const ticks = [0];
  for (let power = 1; power <= maxIteration; power *= 10) ticks.push(power);
  return ticks;
}

export function figure3(data: AggregateData, params: RenderParams): FigureSource {
  const rows = settingOrder(data).flatMap((setting) =>
    [...data.settings[setting]!.rows]
      .sort((a, b) => a.iteration - b.iteration)
      .map((row) => ({
        setting,
        iteration: row.iteration,
        seeds: data.settings[setting]!.seeds.length,
        loss_above_start: row.loss.above_start.mean,
        loss_above_start_min: row.loss.above_start.min,
        loss_above_start_max: row.loss.above_start.max,
        error_above_start: row.error.above_start.mean,
        error_above_start_min: row.error.above_start.min,
        error_above_start_max: row.error.above_start.max,
      })),
  );
  const band = bandNote(data);
  const maxIteration = Math.max(0, ...rows.map((r) => r.iteration));
  // barriers.json definitions read "formula: explanation"; one subtitle line each keeps the figure narrow.
  const [formula, ...explanation] = (data.definitions.above_start ?? 'max_x L(x) − L(0)').split(': ');
  const x = {
    field: 'iteration',
    type: 'quantitative' as const,
    title: 'checkpoint t (iteration, symlog scale: t = 0 at the left edge)',
    scale: { type: 'symlog' as const, constant: 1, domain: [0, maxIteration] },
    axis: { values: symlogTicks(maxIteration), format: ',d' },
  };
  const color = {
    field: 'setting',
    type: 'nominal' as const,
    title: 'setting',
    scale: { domain: settingOrder(data), range: params.colors },
  };
  const panel = (field: string, title: string, format?: string) =>
    bandedPanel({
      width: 520,
      height: 200,
      line: { type: 'line' as const, strokeWidth: 2, point: true },
      encoding: {
        x,
        y: { field, type: 'quantitative' as const, title, ...(format ? { axis: { format } } : {}) },
        color,
      },
      banded: band !== null,
      legendSymbol: { symbolType: 'circle' },
    });
  return {
    name: 'figure3',
    columns: ['setting', 'iteration', 'seeds', 'loss_above_start', 'loss_above_start_min', 'loss_above_start_max', 'error_above_start', 'error_above_start_min', 'error_above_start_max'],
    rows,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: 'Figure 3. Maximum increase along the path from θ_t to the final weights',
        subtitle: [
          `barrier (a) above_start = ${formula}` + (explanation.length > 0 ? ` (${explanation.join(': ')})` : ''),
          'with L = test loss (top) and L = test error (bottom)',
          ...(band === null ? [] : [band]),
        ],
      },
      config: figureConfig,
      data: { values: rows },
      vconcat: [
        panel('loss_above_start', 'max increase in test loss (nats)'),
        // Error barriers are often a few hundredths of a percent: keep the digits they need, drop trailing zeros.
        panel('error_above_start', 'max increase in test error (% points)', '~%'),
      ],
    },
  };
}
