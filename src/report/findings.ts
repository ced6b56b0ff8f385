// One sentence per figure, computed from the numbers it shows (never pasted prose).
import { settingOrder, type AggregateData } from '../artifacts/aggregate-output.js';
import type { CurvePoint } from '../artifacts/curves.js';
import { initializationCurves } from './figures/figure1.js';
import type { RenderParams } from './params.js';

/** First x at which `value` is below halfway between its two ends, or null when it does not fall end to end. */
export function halfwayCrossing(points: ReadonlyArray<{ x: number; value: number }>): number | null {
  const sorted = [...points].sort((a, b) => a.x - b.x);
  const start = sorted[0]?.value;
  const end = sorted.at(-1)?.value;
  if (start === undefined || end === undefined || !(end < start)) return null;
  const halfway = (start + end) / 2;
  return sorted.find((point) => point.value < halfway)?.x ?? null;
}

/** First t (ascending) whose barrier is above `threshold`, or null. */
export function firstExceeding(rows: ReadonlyArray<{ iteration: number; barrier: number }>, threshold: number): number | null {
  return [...rows].sort((a, b) => a.iteration - b.iteration).find((row) => row.barrier > threshold)?.iteration ?? null;
}

const fmt = (value: number, digits = 3) => Number(value.toPrecision(digits)).toString();
const fmtX = (x: number) => x.toFixed(2);
const pct = (fraction: number) => {
  const points = fmt(fraction * 100);
  return `${points} percentage point${points === '1' ? '' : 's'}`;
};

function lossPoints(curve: readonly CurvePoint[]) {
  return curve.map((p) => ({ x: p.x, value: p.test_loss }));
}

function list(clauses: string[]): string {
  if (clauses.length <= 1) return clauses.join('');
  return `${clauses.slice(0, -1).join('; ')}; and ${clauses.at(-1)}`;
}

export function figure1Finding(data: AggregateData): string {
  const curves = initializationCurves(data);
  const clauses = settingOrder(data).flatMap((setting) => {
    const curve = curves.filter((p) => p.setting === setting);
    if (curve.length === 0) return [];
    const t = curve[0]!.iteration;
    const from = t === 0 ? '' : ` (from t = ${t}, the earliest checkpoint swept)`;
    const x = halfwayCrossing(lossPoints(curve));
    const ends = `${fmt(curve[0]!.test_loss)} → ${fmt(curve.at(-1)!.test_loss)} nats`;
    return x === null ? [`for ${setting}${from} it never falls below halfway (${ends})`] : [`for ${setting}${from} at x = ${fmtX(x)} (${ends})`];
  });
  return `Along the line from initialization, the test loss first falls below halfway between its ends ${list(clauses)}.`;
}

export function figure2Finding(data: AggregateData): string {
  const clauses = settingOrder(data).flatMap((setting) => {
    const final = data.settings[setting]!.final_iteration;
    const iterations = [...new Set(data.curves.filter((p) => p.setting === setting).map((p) => p.iteration))].filter((t) => t !== final).sort((a, b) => a - b);
    if (iterations.length === 0) return [];
    const crossing = (t: number) => halfwayCrossing(lossPoints(data.curves.filter((p) => p.setting === setting && p.iteration === t)));
    const describe = (t: number) => {
      const x = crossing(t);
      return x === null ? `nowhere from t = ${t}` : `x = ${fmtX(x)} from t = ${t}`;
    };
    const first = iterations[0]!;
    const last = iterations.at(-1)!;
    return [first === last ? `for ${setting} at ${describe(first)}` : `for ${setting} at ${describe(first)} and ${describe(last)}`];
  });
  return 'From the earliest and the latest checkpoint before the final one, the test loss first falls below halfway ' + `between its ends ${list(clauses)}.`;
}

export function figure3Finding(data: AggregateData, params: RenderParams): string {
  const clauses = settingOrder(data).map((setting) => {
    const rows = data.settings[setting]!.rows;
    const lossT = firstExceeding(
      rows.map((r) => ({ iteration: r.iteration, barrier: r.loss.above_start })),
      params.loss_threshold,
    );
    const errorT = firstExceeding(
      rows.map((r) => ({ iteration: r.iteration, barrier: r.error.above_start })),
      params.error_threshold,
    );
    const peak = rows.reduce((best, r) => (r.loss.above_start > best.loss.above_start ? r : best), rows[0]!);
    const loss = lossT === null ? 'never in loss' : `at t = ${lossT} in loss`;
    const error = errorT === null ? 'never in error' : `at t = ${errorT} in error`;
    const max = peak ? ` (largest loss barrier ${fmt(peak.loss.above_start)} nats, at t = ${peak.iteration})` : '';
    return `${setting} ${loss} and ${error}${max}`;
  });
  return `Barrier (a) first exceeds ${fmt(params.loss_threshold)} nats in loss or ${pct(params.error_threshold)} ` + `in error for ${list(clauses)}.`;
}
