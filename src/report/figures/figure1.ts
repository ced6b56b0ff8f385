// Figure 1: test loss (left) and error (right) along the line from initialization to the final weights, a line per
// setting: the mean over its seeds, over a min–max band where it has more than one.
import { settingOrder, type AggregateData } from '../../artifacts/aggregate-output.js';
import type { RenderParams } from '../params.js';
import { MEAN_CURVE_COLUMNS, curveIterations, meanCurve, type MeanCurvePoint } from '../seeds.js';
import { bandNote, bandedPanel } from './bands.js';
import type { FigureSource } from './figure-data.js';
import { ERROR_TITLE, LOSS_TITLE, figureConfig } from './theme.js';

/** Each setting's curve from its earliest checkpoint (t = 0 whenever the sweep included initialization), averaged over its seeds. */
export function initializationCurves(data: AggregateData): MeanCurvePoint[] {
  return [...settingOrder(data)]
    .sort((a, b) => a.localeCompare(b))
    .flatMap((setting) => {
      const earliest = curveIterations(data, setting)[0];
      return earliest === undefined ? [] : meanCurve(data, setting, earliest);
    });
}

export function figure1(data: AggregateData, params: RenderParams): FigureSource {
  const rows = initializationCurves(data).map((p) => ({ ...p }));
  const band = bandNote(data);
  const color = {
    field: 'setting',
    type: 'nominal' as const,
    title: 'setting',
    scale: { domain: settingOrder(data), range: params.colors },
  };
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: 'interpolation x (0 = initialization θ₀, 1 = final weights)',
    scale: { domain: [0, 1] },
    axis: { tickCount: 5 },
  };
  const panel = (field: 'test_loss' | 'test_error', title: string, format?: string) =>
    bandedPanel({
      width: 360,
      height: 260,
      line: { type: 'line' as const, strokeWidth: 2 },
      encoding: {
        x,
        y: { field, type: 'quantitative' as const, title, ...(format ? { axis: { format } } : {}) },
        color,
      },
      banded: band !== null,
      legendSymbol: { symbolType: 'stroke', symbolStrokeWidth: 2 },
    });
  const text = 'Figure 1. Linear path from initialization (t = 0) to the final weights';
  return {
    name: 'figure1',
    columns: MEAN_CURVE_COLUMNS,
    rows,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: band === null ? { text } : { text, subtitle: [band] },
      config: figureConfig,
      data: { values: rows },
      hconcat: [panel('test_loss', LOSS_TITLE), panel('test_error', ERROR_TITLE, '.0%')],
    },
  };
}
