// ‖a − b‖ / ‖b‖: one number for a whole tensor, as the issues state tolerances; shared by the tests and the GPU benchmarks.
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / Math.max(norm, 1e-30));
}
