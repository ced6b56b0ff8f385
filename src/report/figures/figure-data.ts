// What a figure is before rendering: a Vega-Lite spec and the table (columns, rows) it was drawn from.
import type { TopLevelSpec } from 'vega-lite';
import type { CsvValue } from '../../artifacts/csv.js';

export interface FigureSource {
  name: string;
  spec: TopLevelSpec;
  columns: readonly string[];
  rows: Array<Record<string, CsvValue>>;
}
