// The loss-plane figure: per plane, test loss (left) and error (right) over its grid as a heat map with contour lines,
// the paper's straight paths drawn on it and the anchor weights (θ_0, θ_t, θ_T) marked.
import type { PlaneAnchor, PlaneRecord } from '../../artifacts/plane-output.js';
import type { FigureSource } from './figure-data.js';
import { contourSegments, logLevels } from './plane-contours.js';
import { figureConfig } from './theme.js';

const LABELS: Record<string, (iteration: number) => string> = {
  theta_0: () => 'θ_0',
  theta_t: (t) => `θ_${t}`,
  theta_T: () => 'θ_T',
};
export const PLANE_FIGURE = 'planes';
export const PLANE_CAPTION =
  'Test loss (left) and error (right) on a grid over planes in weight space, with contour lines: the plane through θ_0, θ_t and θ_T ' +
  '(orthonormal coordinates, distances as in weight space; it holds the straight paths of Figures 1 and 2, drawn in red), ' +
  'and the plane around θ_T along two filter-normalised random directions (Li et al. 2018). Each point is the network at ' +
  'that point of the plane on the whole test set.';
const ERROR_LEVELS = [0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8];
const PANEL_WIDTH = 280;

/** Planes in a fixed order: by setting, then path planes by t, then random ones. */
export function planeOrder(records: readonly PlaneRecord[]): PlaneRecord[] {
  const rank = (r: PlaneRecord) => (r.kind === 'path' ? Number(r.plane) : Number.MAX_SAFE_INTEGER);
  return [...records].sort((x, y) => x.setting.localeCompare(y.setting) || rank(x) - rank(y) || x.plane.localeCompare(y.plane));
}

export function planeTitle(r: PlaneRecord): string {
  const t = r.anchors.find((p) => p.name === 'theta_t')?.iteration;
  return r.kind === 'path'
    ? `${r.setting}: the plane through θ_0, θ_${t} and θ_T (T = ${r.final_iteration})`
    : `${r.setting}: around θ_T along two filter-normalised random directions (seed ${r.seed})`;
}

function panel(r: PlaneRecord, quantity: 'test_loss' | 'test_error') {
  const [da, db] = [r.a[1] - r.a[0], r.b[1] - r.b[0]];
  const xDomain = [r.a[0] - da / 2, r.a.at(-1)! + da / 2];
  const yDomain = [r.b[0] - db / 2, r.b.at(-1)! + db / 2];
  // Path planes are drawn to scale (a and b are distances in weight space); a random plane's square stays square.
  const height = Math.round(Math.min(2, Math.max(0.4, (yDomain[1] - yDomain[0]) / (xDomain[1] - xDomain[0]))) * PANEL_WIDTH);
  const x = {
    type: 'quantitative' as const,
    scale: { domain: xDomain, nice: false, zero: false },
    axis: { grid: false },
    title: r.kind === 'path' ? 'a (distance along θ_0 → θ_T)' : 'a (random direction δ)',
  };
  const y = {
    type: 'quantitative' as const,
    scale: { domain: yDomain, nice: false, zero: false },
    axis: { grid: false },
    title: r.kind === 'path' ? 'b (distance off that line)' : 'b (random direction η)',
  };
  const values = r.rows.map((row) => row[quantity]);
  // Abutting rectangles leave anti-aliased seams: each cell reaches half a step further right and up, under the cells
  // drawn after it (rows go b outer, a inner), and the layer is clipped to the grid.
  const cells = r.rows.map((row) => ({ a0: row.a - da / 2, a1: row.a + da, b0: row.b - db / 2, b1: row.b + db, value: row[quantity] }));
  const levels = quantity === 'test_loss' ? logLevels(values, 10) : ERROR_LEVELS.filter((level) => level > Math.min(...values) && level < Math.max(...values));
  const contours = contourSegments(r.a, r.b, values, levels);
  const anchors = r.anchors.map((p) => ({ a: p.a, b: p.b, label: (LABELS[p.name] ?? ((): string => p.name))(p.iteration) }));
  const point = (name: string) => r.anchors.find((p) => p.name === name);
  const lines: [string, PlaneAnchor | undefined, PlaneAnchor | undefined][] = [
    ['θ_t → θ_T (Figure 2)', point('theta_t'), point('theta_T')],
    ['θ_0 → θ_T (Figure 1)', point('theta_0'), point('theta_T')],
  ];
  const paths = lines.flatMap(([path, from, to]) => (from && to ? [from, to].map((p, end) => ({ path, end, a: p.a, b: p.b })) : []));
  const positive = Math.min(...values.filter((value) => value > 0));
  const color =
    quantity === 'test_loss'
      ? { field: 'value', type: 'quantitative' as const, title: 'test loss', scale: { type: 'log' as const, scheme: 'viridis', domain: [positive, Math.max(...values)] } }
      : { field: 'value', type: 'quantitative' as const, title: 'test error', scale: { scheme: 'viridis', domain: [0, Math.max(...values)] }, legend: { format: '.0%' } };
  return {
    width: PANEL_WIDTH,
    height,
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect' as const, clip: true, aria: false },
        encoding: { x: { field: 'a0', ...x }, x2: { field: 'a1' }, y: { field: 'b0', ...y }, y2: { field: 'b1' }, color },
      },
      {
        data: { values: contours },
        mark: { type: 'rule' as const, aria: false, color: 'white', strokeWidth: 0.8, opacity: 0.75 },
        encoding: { x: { field: 'a', ...x }, y: { field: 'b', ...y }, x2: { field: 'a2' }, y2: { field: 'b2' } },
      },
      ...(paths.length > 0
        ? [
            {
              data: { values: paths },
              mark: { type: 'line' as const, color: '#e4572e', strokeWidth: 2.2 },
              encoding: {
                x: { field: 'a', ...x },
                y: { field: 'b', ...y },
                order: { field: 'end', type: 'quantitative' as const },
                strokeDash: {
                  field: 'path',
                  type: 'nominal' as const,
                  title: 'straight path',
                  scale: {
                    domain: lines.map(([path]) => path),
                    range: [
                      [1, 0],
                      [5, 3],
                    ],
                  },
                },
              },
            },
          ]
        : []),
      {
        data: { values: anchors },
        mark: { type: 'point' as const, filled: true, color: 'black', size: 60, stroke: 'white', strokeWidth: 1 },
        encoding: { x: { field: 'a', ...x }, y: { field: 'b', ...y } },
      },
      // White labels over a black copy one pixel off: readable on both ends of the colour scheme.
      ...['black', 'white'].map((fill, i) => ({
        data: { values: anchors },
        mark: { type: 'text' as const, align: 'left' as const, dx: 7 - i, dy: -7 - i, fontSize: 13, fontWeight: 'bold' as const, color: fill },
        encoding: { x: { field: 'a', ...x }, y: { field: 'b', ...y }, text: { field: 'label' } },
      })),
    ],
  };
}

export function planeFigure(records: readonly PlaneRecord[]): FigureSource {
  const ordered = planeOrder(records);
  const rows = ordered.flatMap((r) => r.rows.map((row) => ({ setting: r.setting, plane: r.plane, kind: r.kind, a: row.a, b: row.b, test_loss: row.test_loss, test_error: row.test_error })));
  return {
    name: PLANE_FIGURE,
    columns: ['setting', 'plane', 'kind', 'a', 'b', 'test_loss', 'test_error'],
    rows,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Loss planes: test loss (left) and test error (right) over planes in weight space', subtitle: 'contour lines in white; the straight paths of Figures 1 and 2 in red' },
      config: figureConfig,
      vconcat: ordered.map((r) => ({
        title: { text: planeTitle(r), fontSize: 14 },
        hconcat: [panel(r, 'test_loss'), panel(r, 'test_error')],
        resolve: { scale: { color: 'independent' as const } },
      })),
      resolve: { scale: { color: 'independent' } },
    },
  };
}

/** One sentence per plane, from the numbers: the grid's lowest loss, where it lies, and θ_T's own loss. */
export function planeFinding(records: readonly PlaneRecord[]): string {
  return planeOrder(records)
    .map((r) => {
      const best = r.rows.reduce((low, row) => (row.test_loss < low.test_loss ? row : low));
      const end = r.anchors.find((p) => p.name === 'theta_T')!;
      const distance = Math.hypot(best.a - end.a, best.b - end.b);
      const where = distance <= Math.max(r.a[1] - r.a[0], r.b[1] - r.b[0]) ? 'at θ_T (within one grid step)' : `${distance.toPrecision(2)} from θ_T in plane units`;
      return `${planeTitle(r)}: lowest test loss on the grid ${best.test_loss.toFixed(4)} ${where}; θ_T's ${end.test_loss.toFixed(4)}.`;
    })
    .join(' ');
}
