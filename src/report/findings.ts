// One sentence per figure, computed from the numbers it shows (never pasted prose). With several seeds a sentence is
// about the mean (curves averaged over seeds, barrier means) and says whether each seed shows the same.
import { settingOrder, type AggregateData } from '../artifacts/aggregate-output.js';
import { DEFAULT_PARAMS, type RenderParams } from './params.js';
import { disagreeing, maxSeeds, meanView, seedClause, seedViews, type Curve, type SettingView } from './seeds.js';

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

/** The halfway crossing of a curve's test loss. */
export function lossCrossing(curve: Curve): number | null {
  return halfwayCrossing(curve.map((p) => ({ x: p.x, value: p.test_loss })));
}

function list(clauses: string[]): string {
  if (clauses.length <= 1) return clauses.join('');
  return `${clauses.slice(0, -1).join('; ')}; and ${clauses.at(-1)}`;
}

/** Where a crossing lies, as the seeds are compared: never, before the plateau x, or at or after it. */
function side(x: number | null, plateau: number): string {
  return x === null ? 'never' : x < plateau ? `before x = ${plateau}` : `at or after x = ${plateau}`;
}

/** ", <side> for every seed (x = a–b)" or ", <side> on average only (k of n seeds; seed s: …)"; nothing for one seed. */
function crossingSeeds(mean: number | null, seeds: ReadonlyArray<{ seed: number; x: number | null }>, plateau: number): string {
  if (seeds.length <= 1) return '';
  const agreeing = seeds.filter((s) => side(s.x, plateau) === side(mean, plateau));
  const where = mean === null ? '' : `${side(mean, plateau)} `;
  const others = disagreeing(seeds.filter((s) => !agreeing.includes(s)).map((s) => ({ seed: s.seed, shows: s.x === null ? 'never' : `at x = ${fmtX(s.x)}` })));
  const clause = seedClause({ holding: agreeing.length, of: seeds.length }, others);
  const xs = seeds.flatMap((s) => (s.x === null ? [] : [s.x]));
  const [low, high] = [fmtX(Math.min(...xs)), fmtX(Math.max(...xs))];
  const range = agreeing.length === seeds.length && xs.length > 0 ? ` (x = ${low === high ? low : `${low}–${high}`})` : '';
  return `, ${where}${clause}${range}`;
}

const averaged = (data: AggregateData) => (maxSeeds(data) > 1 ? ', averaged over seeds,' : '');

/** `params.plateau_x` splits crossings into early and late when seeds are compared. */
export function figure1Finding(data: AggregateData, params: RenderParams = DEFAULT_PARAMS): string {
  const clauses = settingOrder(data).flatMap((setting) => {
    const view = meanView(data, setting);
    const t = view.iterations[0];
    if (t === undefined) return [];
    const curve = view.curve(t);
    const from = t === 0 ? '' : ` (from t = ${t}, the earliest checkpoint swept)`;
    const x = lossCrossing(curve);
    const ends = `${fmt(curve[0]!.test_loss)} → ${fmt(curve.at(-1)!.test_loss)} nats`;
    const seeds = crossingSeeds(
      x,
      seedViews(data, setting).map((s) => ({ seed: s.seed!, x: lossCrossing(s.curve(t)) })),
      params.plateau_x,
    );
    return x === null ? [`for ${setting}${from} it never falls below halfway (${ends})${seeds}`] : [`for ${setting}${from} at x = ${fmtX(x)} (${ends})${seeds}`];
  });
  return `Along the line from initialization, the test loss${averaged(data)} first falls below halfway between its ends ${list(clauses)}.`;
}

export function figure2Finding(data: AggregateData, params: RenderParams = DEFAULT_PARAMS): string {
  const clauses = settingOrder(data).flatMap((setting) => {
    const view = meanView(data, setting);
    const iterations = view.iterations.filter((t) => t !== view.final_iteration);
    if (iterations.length === 0) return [];
    const shown = [...new Set([iterations[0]!, iterations.at(-1)!])];
    const describe = (t: number, x: number | null) => (x === null ? `nowhere from t = ${t}` : `x = ${fmtX(x)} from t = ${t}`);
    const mean = shown.map((t) => lossCrossing(view.curve(t)));
    const clause = `for ${setting} at ${shown.map((t, i) => describe(t, mean[i]!)).join(' and ')}`;
    const seeds = seedViews(data, setting);
    if (seeds.length <= 1) return [clause];
    // A seed agrees when each of its crossings lies on the same side of the plateau x as the mean's.
    const perSeed = seeds.map((s) => ({ seed: s.seed!, crossings: shown.map((t) => lossCrossing(s.curve(t))) }));
    const agrees = (crossings: Array<number | null>) => crossings.every((x, i) => side(x, params.plateau_x) === side(mean[i]!, params.plateau_x));
    const others = perSeed.filter((s) => !agrees(s.crossings));
    const shows = disagreeing(
      others.map((s) => ({ seed: s.seed, shows: shown.map((t, i) => describe(t, s.crossings[i]!)).join(', ') })),
      ': ',
    );
    return [`${clause}, each on the same side of x = ${params.plateau_x} ${seedClause({ holding: perSeed.length - others.length, of: perSeed.length }, shows)}`];
  });
  return `From the earliest and the latest checkpoint before the final one, the test loss${averaged(data)} first falls below halfway ` + `between its ends ${list(clauses)}.`;
}

/** The first t whose barrier (a) exceeds the loss and the error threshold, in one view. */
function firstBarriers(view: SettingView, params: RenderParams): { loss: number | null; error: number | null } {
  return {
    loss: firstExceeding(
      view.rows.map((r) => ({ iteration: r.iteration, barrier: r.loss.above_start })),
      params.loss_threshold,
    ),
    error: firstExceeding(
      view.rows.map((r) => ({ iteration: r.iteration, barrier: r.error.above_start })),
      params.error_threshold,
    ),
  };
}

export function figure3Finding(data: AggregateData, params: RenderParams): string {
  const several = maxSeeds(data) > 1;
  const clauses = settingOrder(data).map((setting) => {
    const view = meanView(data, setting);
    const { rows } = view;
    const first = firstBarriers(view, params);
    const peak = rows.reduce((best, r) => (r.loss.above_start > best.loss.above_start ? r : best), rows[0]!);
    const at = (t: number | null, quantity: string) => (t === null ? `never in ${quantity}` : `at t = ${t} in ${quantity}`);
    const max = peak ? ` (largest${several ? ' mean' : ''} loss barrier ${fmt(peak.loss.above_start)} nats, at t = ${peak.iteration})` : '';
    const seeds = seedViews(data, setting);
    let agreement = '';
    if (seeds.length > 1) {
      const perSeed = seeds.map((s) => ({ seed: s.seed!, ...firstBarriers(s, params) }));
      const others = perSeed.filter((s) => s.loss !== first.loss || s.error !== first.error);
      const shows = disagreeing(others.map((s) => ({ seed: s.seed, shows: `${at(s.loss, 'loss')} and ${at(s.error, 'error')}` })));
      agreement = `, ${seedClause({ holding: perSeed.length - others.length, of: perSeed.length }, shows)}`;
    }
    return `${setting} ${at(first.loss, 'loss')} and ${at(first.error, 'error')}${max}${agreement}`;
  });
  const subject = several ? 'Barrier (a), averaged over seeds,' : 'Barrier (a)';
  return `${subject} first exceeds ${fmt(params.loss_threshold)} nats in loss or ${pct(params.error_threshold)} ` + `in error for ${list(clauses)}.`;
}
