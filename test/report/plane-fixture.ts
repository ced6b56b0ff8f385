// Plane records (src/artifacts/plane-output.ts) with a bowl-shaped surface, for the plane figure and report tests.
import type { PlaneRecord } from '../../src/artifacts/plane-output.js';

const linspace = (from: number, to: number, n: number) => Array.from({ length: n }, (_, k) => from + ((to - from) * k) / (n - 1));

/** A path plane (θ_0 at 0, θ_T at (10, 0), θ_t at (1.5, 2.4)) or a random one around θ_T, on a grid × grid lattice. */
export function planeFixture(kind: 'path' | 'random', grid = 11): PlaneRecord {
  const anchors =
    kind === 'path'
      ? [
          { name: 'theta_0', iteration: 0, a: 0, b: 0 },
          { name: 'theta_t', iteration: 100, a: 1.5, b: 2.4 },
          { name: 'theta_T', iteration: 18760, a: 10, b: 0 },
        ]
      : [{ name: 'theta_T', iteration: 18760, a: 0, b: 0 }];
  const end = anchors.at(-1)!;
  const surface = (a: number, b: number) => {
    const loss = 0.07 + 0.02 * ((a - end.a) ** 2 + 3 * b ** 2);
    return { test_loss: loss, test_error: Math.min(0.9, 0.02 + 0.3 * (1 - Math.exp(-(loss - 0.07)))) };
  };
  const [as, bs] = kind === 'path' ? [linspace(-2, 12, grid), linspace(-2, 4.4, grid)] : [linspace(-1, 1, grid), linspace(-1, 1, grid)];
  return {
    setting: 'mnist_lenet_300_100',
    plane: kind === 'path' ? '100' : 'random',
    kind,
    final_iteration: 18760,
    coordinates: 'fixture',
    ...(kind === 'random' ? { seed: 1 } : {}),
    a: as,
    b: bs,
    anchors: anchors.map((p) => ({ ...p, ...surface(p.a, p.b) })),
    rows: bs.flatMap((b) => as.map((a) => ({ a, b, ...surface(a, b) }))),
    method: 'linear-stem',
    backend: 'wasm',
  };
}
