// Figure 2: per setting, test loss and error along the line from each checkpoint t to the final weights, coloured by t;
// each line is the mean over the setting's seeds, without bands (with many t per panel they would cover each other).
import { settingOrder, type AggregateData } from '../../artifacts/aggregate-output.js';
import type { RenderParams } from '../params.js';
import { MEAN_CURVE_COLUMNS, curveIterations, meanCurve } from '../seeds.js';
import { meanOnlyNote } from './bands.js';
import type { FigureSource } from './figure-data.js';
import { ERROR_TITLE, LOSS_TITLE, figureConfig } from './theme.js';

export function figure2(data: AggregateData, params: RenderParams): FigureSource {
  const rows = [...settingOrder(data)]
    .sort((a, b) => a.localeCompare(b))
    .flatMap((setting) => curveIterations(data, setting).flatMap((t) => meanCurve(data, setting, t)))
    .map((p) => ({ ...p }));
  const note = meanOnlyNote(data);
  const settingRow = (setting: string) => {
    const iterations = curveIterations(data, setting);
    // Ordinal, so every checkpoint gets its own legend entry; the scheme's pale end is cut off to stay visible on white.
    const color = {
      field: 'iteration',
      type: 'ordinal' as const,
      title: 'checkpoint t (iteration)',
      scale: { domain: iterations, scheme: { name: params.sequential_scheme, extent: [0, 0.85] } },
    };
    const panel = (field: 'test_loss' | 'test_error', title: string, format?: string) => ({
      width: 300,
      height: 220,
      mark: { type: 'line' as const, strokeWidth: 1.6 },
      encoding: {
        x: {
          field: 'x',
          type: 'quantitative' as const,
          title: 'interpolation x (0 = checkpoint θ_t, 1 = final)',
          scale: { domain: [0, 1] },
          axis: { tickCount: 5 },
        },
        y: { field, type: 'quantitative' as const, title, ...(format ? { axis: { format } } : {}) },
        color,
        detail: { field: 'iteration', type: 'quantitative' as const },
      },
    });
    return {
      title: { text: setting, fontSize: 14 },
      transform: [{ filter: { field: 'setting', equal: setting } }],
      hconcat: [panel('test_loss', LOSS_TITLE), panel('test_error', ERROR_TITLE, '.0%')],
      resolve: { scale: { color: 'shared' as const } },
    };
  };
  const text = 'Figure 2. Linear paths from checkpoints at iteration t to the final weights';
  return {
    name: 'figure2',
    columns: MEAN_CURVE_COLUMNS,
    rows,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: note === null ? { text } : { text, subtitle: [note] },
      config: figureConfig,
      data: { values: rows },
      vconcat: settingOrder(data).map(settingRow),
      resolve: { scale: { color: 'independent', x: 'independent', y: 'independent' }, legend: { color: 'independent' } },
    },
  };
}
