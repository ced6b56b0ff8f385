// Figure 1: test loss (left) and error (right) along the line from initialization to the final weights, a line per setting.
import { settingOrder, type AggregateData } from '../../artifacts/aggregate-output.js';
import type { CurvePoint } from '../../artifacts/curves.js';
import type { RenderParams } from '../params.js';
import type { FigureSource } from './figure-data.js';
import { ERROR_TITLE, LOSS_TITLE, figureConfig } from './theme.js';

/** Each setting's curve from its earliest checkpoint (t = 0 whenever the sweep included initialization). */
export function initializationCurves(data: AggregateData): CurvePoint[] {
  const earliest = new Map<string, number>();
  for (const point of data.curves) {
    earliest.set(point.setting, Math.min(earliest.get(point.setting) ?? Infinity, point.iteration));
  }
  return data.curves.filter((point) => point.iteration === earliest.get(point.setting)).sort((a, b) => a.setting.localeCompare(b.setting) || a.x - b.x);
}

export function figure1(data: AggregateData, params: RenderParams): FigureSource {
  const rows = initializationCurves(data).map((p) => ({ ...p }));
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
  const panel = (field: 'test_loss' | 'test_error', title: string, format?: string) => ({
    width: 360,
    height: 260,
    mark: { type: 'line' as const, strokeWidth: 2 },
    encoding: {
      x,
      y: { field, type: 'quantitative' as const, title, ...(format ? { axis: { format } } : {}) },
      color,
    },
  });
  return {
    name: 'figure1',
    columns: ['setting', 'iteration', 'x', 'test_loss', 'test_error'],
    rows,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Figure 1. Linear path from initialization (t = 0) to the final weights' },
      config: figureConfig,
      data: { values: rows },
      hconcat: [panel('test_loss', LOSS_TITLE), panel('test_error', ERROR_TITLE, '.0%')],
    },
  };
}
