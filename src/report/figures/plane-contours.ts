// Contour lines of a grid of values by marching squares: line segments in the grid's own coordinates, for a rule mark.

export interface ContourSegment {
  level: number;
  a: number;
  b: number;
  a2: number;
  b2: number;
}

/**
 * Segments where the surface `values` (row-major, b outer: values[j·as.length + i] at (as[i], bs[j])) crosses each level,
 * the crossing placed by linear interpolation along a cell's edge. A saddle cell (opposite corners on the same side)
 * is resolved by its centre, the mean of its corners.
 */
export function contourSegments(as: readonly number[], bs: readonly number[], values: readonly number[], levels: readonly number[]): ContourSegment[] {
  const segments: ContourSegment[] = [];
  const at = (i: number, j: number) => values[j * as.length + i];
  for (const level of levels) {
    for (let j = 0; j + 1 < bs.length; j++) {
      for (let i = 0; i + 1 < as.length; i++) {
        // Corners counter-clockwise from (i, j): 0 = (i, j), 1 = (i+1, j), 2 = (i+1, j+1), 3 = (i, j+1).
        const corners: [number, number, number][] = [
          [as[i], bs[j], at(i, j)],
          [as[i + 1], bs[j], at(i + 1, j)],
          [as[i + 1], bs[j + 1], at(i + 1, j + 1)],
          [as[i], bs[j + 1], at(i, j + 1)],
        ];
        if (corners.some(([, , value]) => !Number.isFinite(value))) continue;
        const above = corners.map(([, , value]) => value > level);
        // Edge e joins corner e and corner e+1; a crossing where they are on different sides of the level.
        const crossing = (e: number): [number, number] | undefined => {
          const [p, q] = [corners[e], corners[(e + 1) % 4]];
          if (above[e] === above[(e + 1) % 4]) return undefined;
          const f = (level - p[2]) / (q[2] - p[2]);
          return [p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1])];
        };
        const edges = [0, 1, 2, 3].filter((e) => crossing(e) !== undefined);
        const pairs: [number, number][] = [];
        if (edges.length === 2) pairs.push([edges[0], edges[1]]);
        else if (edges.length === 4) {
          const centreAbove = corners.reduce((sum, [, , value]) => sum + value, 0) / 4 > level;
          // If the centre sides with corners 0 and 2, corners 1 and 3 are cut off alone: edges (0,1) and (2,3); else (3,0) and (1,2).
          if (centreAbove === above[0]) pairs.push([0, 1], [2, 3]);
          else pairs.push([3, 0], [1, 2]);
        }
        for (const [e, f] of pairs) {
          const [p, q] = [crossing(e)!, crossing(f)!];
          segments.push({ level, a: p[0], b: p[1], a2: q[0], b2: q[1] });
        }
      }
    }
  }
  return segments;
}

/** `count` levels spaced evenly in log between the smallest and largest positive value, both ends excluded. */
export function logLevels(values: readonly number[], count: number): number[] {
  const positive = values.filter((value) => value > 0 && Number.isFinite(value));
  const [low, high] = [Math.min(...positive), Math.max(...positive)];
  if (!(high > low)) return [];
  return Array.from({ length: count }, (_, k) => low * (high / low) ** ((k + 1) / (count + 1)));
}
