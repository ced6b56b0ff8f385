// x = linspace(0, 1, points), both ends included exactly.
export function linspace01(points: number): number[] {
  if (points === 1) return [0];
  return Array.from({ length: points }, (_, k) => (k === points - 1 ? 1 : k / (points - 1)));
}
