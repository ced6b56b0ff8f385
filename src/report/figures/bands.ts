// The spread across seeds in the figures: a light min–max band behind each mean line, drawn only where a setting has
// more than one seed, and the words that say so.
import { maxSeeds } from '../seeds.js';
import type { AggregateData } from '../../artifacts/aggregate-output.js';

/** How opaque a band is: light enough that crossing lines and other settings' bands stay readable. */
export const BAND_OPACITY = 0.2;

/** "band: min–max over N seeds" (N, or the range of N where settings ran different numbers), or null with one seed everywhere. */
export function bandNote(data: AggregateData): string | null {
  if (maxSeeds(data) <= 1) return null;
  const counts = [...new Set(Object.values(data.settings).map((s) => s.seeds.length))].sort((a, b) => a - b);
  const several = counts.filter((n) => n > 1);
  const n = several.length === 1 ? `${several[0]}` : `${several[0]}–${several.at(-1)}`;
  const single = counts[0] === 1 ? '; settings with one seed have no band' : '';
  return `line: mean over seeds; band: min–max over ${n} seeds${single}`;
}

/** The same for a figure whose lines are means but that draws no band (Figure 2). */
export function meanOnlyNote(data: AggregateData): string | null {
  if (maxSeeds(data) <= 1) return null;
  return 'lines: mean over seeds; no bands (they would overlap across t; min and max are in the CSV)';
}

/**
 * A panel whose line is drawn over a min–max band when `banded`: the band's layer only takes rows averaging more
 * than one seed, shares the line's colour and leaves the legend to the line. Without a band the panel is the bare line.
 */
export function bandedPanel<M extends { type: 'line' }, E extends { color: object }>(options: {
  width: number;
  height: number;
  line: M;
  encoding: E & { x: object; y: { field: string; title: string; axis?: object } };
  banded: boolean;
  legendSymbol: object;
}) {
  const { width, height, line, banded, legendSymbol } = options;
  if (!banded) return { width, height, mark: line, encoding: options.encoding };
  const encoding = { ...options.encoding, color: { ...options.encoding.color, legend: { symbolOpacity: 1, ...legendSymbol } } };
  const { field, ...y } = encoding.y;
  return {
    width,
    height,
    layer: [
      {
        transform: [{ filter: 'datum.seeds > 1' }],
        mark: { type: 'area' as const, opacity: BAND_OPACITY },
        encoding: {
          ...encoding,
          y: { ...y, field: `${field}_min`, type: 'quantitative' as const },
          y2: { field: `${field}_max` },
        },
      },
      { mark: line, encoding },
    ],
  };
}
