// Look shared by all figures: the shipped font everywhere (so SVG and PNG agree), white background, readable sizes.
import type { Config } from 'vega-lite';

export const FONT_FAMILY = 'DejaVu Sans';

export const figureConfig: Config = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 12,
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', labelLimit: 260 },
  header: { labelFontSize: 13, titleFontSize: 14 },
  title: { fontSize: 15, subtitleFontSize: 12, anchor: 'start', offset: 10, subtitlePadding: 4 },
  concat: { spacing: 28 },
};

export const LOSS_TITLE = 'test loss (mean cross-entropy, nats)';
export const ERROR_TITLE = 'test error (%)';
