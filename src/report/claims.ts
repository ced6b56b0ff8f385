// The paper's qualitative claims, each checked against this run's numbers with its threshold shown; never prose pasted in.
// With several seeds a claim is checked on the mean over seeds (curves averaged point by point, barrier means) and on
// each seed, and the check says for how many seeds it holds.
import { settingOrder, type AggregateData } from '../artifacts/aggregate-output.js';
import type { BarrierName } from '../artifacts/barriers.js';
import { halfwayCrossing } from './findings.js';
import type { RenderParams } from './params.js';
import { meanView, seedViews, type SettingView } from './seeds.js';

/** Which settings a claim is about in the paper: MNIST ("relatively easy"), or the modern CIFAR-10 and ImageNet ones. */
type Scope = 'mnist' | 'modern';

/** A claim holds, it does not, or nothing can be said: what the paper reports for a setting, or what a run shows. */
type Verdict = 'holds' | 'fails' | null;

export interface ClaimCheck {
  claim: string;
  setting: string;
  /** What the paper reports for this setting's dataset (null: it makes no statement, or the dataset is unknown). */
  expected: Verdict;
  /** What this run shows on the mean over the setting's seeds; null when the run cannot tell (e.g. iteration 0 was not swept). */
  observed: Verdict;
  /** The numbers and threshold behind `observed`, and with several seeds, for how many it holds. */
  evidence: string;
  /** For how many of the seeds the run can tell about (`of`) the claim holds, checked on each seed's own numbers; null when it can tell for none. */
  seeds: { holding: number; of: number } | null;
}

interface Claim {
  text: string;
  /** The paper's statement per scope, as its abstract puts it (Goodfellow et al. 2015's findings hold on MNIST, not on CIFAR-10 and ImageNet). */
  paper: Record<Scope, Verdict>;
  /** The verdict on one view of a setting: the mean over its seeds, or one seed. */
  check(view: SettingView, params: RenderParams): { observed: Verdict; evidence: string };
}

const fmt = (value: number) => value.toFixed(4);

function fromInitialization(view: SettingView) {
  return view.rows.find((row) => row.iteration === 0);
}

const notSwept = { observed: null, evidence: 'iteration 0 was not swept' } as const;

/** Holds when the path from initialization has a loss `measure` of at most the loss threshold. */
function initialLossBarrierWithinThreshold(measure: BarrierName, label: string): Claim['check'] {
  return (view, params) => {
    const row = fromInitialization(view);
    if (!row) return notSwept;
    const value = row.loss[measure];
    const within = value <= params.loss_threshold;
    return { observed: within ? 'holds' : 'fails', evidence: `${label} ${fmt(value)} nats ${within ? '≤' : '>'} ${params.loss_threshold}` };
  };
}

const CLAIMS: Claim[] = [
  {
    text: 'Along the line from initialization to the final weights, test loss is roughly monotonically non-increasing.',
    paper: { mnist: 'holds', modern: 'holds' },
    check: initialLossBarrierWithinThreshold('largest_bump', 'largest bump'),
  },
  {
    text: 'From initialization the path is approximately convex: the loss never rises above the straight chord between its ends (Goodfellow et al.).',
    paper: { mnist: 'holds', modern: 'fails' },
    check: initialLossBarrierWithinThreshold('above_chord', 'rise above the chord'),
  },
  {
    text: 'From initialization the loss remains high until close to the optimum.',
    paper: { mnist: 'fails', modern: 'holds' },
    check(view, params) {
      const curve = view.curve(0).map((p) => ({ x: p.x, value: p.test_loss }));
      if (curve.length === 0) return notSwept;
      const x = halfwayCrossing(curve);
      if (x === null) return { observed: 'holds', evidence: 'the loss never falls below halfway between its ends' };
      const late = x >= params.plateau_x;
      return { observed: late ? 'holds' : 'fails', evidence: `falls below halfway between its ends at x = ${x.toFixed(2)} (${late ? '≥' : '<'} ${params.plateau_x})` };
    },
  },
  {
    text: 'Training quickly becomes linearly separated from the optimum by loss barriers.',
    paper: { mnist: null, modern: 'holds' },
    check(view, params) {
      const horizon = params.early_fraction * view.final_iteration;
      const early = view.rows.filter((row) => row.iteration > 0 && row.iteration <= horizon);
      if (early.length === 0) return { observed: null, evidence: `no checkpoint swept in 0 < t ≤ ${params.early_fraction}·T = ${horizon}` };
      const worst = early.reduce((a, b) => (b.loss.above_start > a.loss.above_start ? b : a));
      const separated = worst.loss.above_start > params.loss_threshold;
      return {
        observed: separated ? 'holds' : 'fails',
        evidence: `largest rise above the start for 0 < t ≤ ${params.early_fraction}·T: ${fmt(worst.loss.above_start)} nats at t = ${worst.iteration} (${separated ? '>' : '≤'} ${params.loss_threshold})`,
      };
    },
  },
];

/** The paper's scope for a dataset name as recipes spell it; undefined for any other (its claims are then not compared). */
function scopeOf(dataset: string | undefined): Scope | undefined {
  if (dataset === 'mnist') return 'mnist';
  if (dataset === 'cifar10' || dataset === 'imagenet') return 'modern';
  return undefined;
}

/** The verdict on the mean, and for how many seeds it holds; with several seeds the evidence says so. */
function checkSetting(claim: Claim, data: AggregateData, setting: string, params: RenderParams): Pick<ClaimCheck, 'observed' | 'evidence' | 'seeds'> {
  const onMean = claim.check(meanView(data, setting), params);
  const perSeed = seedViews(data, setting)
    .map((view) => claim.check(view, params).observed)
    .filter((verdict) => verdict !== null);
  const seeds = perSeed.length === 0 ? null : { holding: perSeed.filter((verdict) => verdict === 'holds').length, of: perSeed.length };
  return { ...onMean, evidence: onMean.evidence + seedEvidence(onMean.observed, seeds), seeds };
}

/** " (mean over 3 seeds); holds for every seed", "…; holds on average only (2 of 3 seeds)", "…; fails on average, though it holds for 1 of 3 seeds"; nothing for one seed. */
function seedEvidence(observed: Verdict, seeds: ClaimCheck['seeds']): string {
  if (seeds === null || seeds.of <= 1) return '';
  const { holding, of } = seeds;
  if (observed === 'holds') return holding === of ? ` (mean over ${of} seeds); holds for every seed` : ` (mean over ${of} seeds); holds on average only (${holding} of ${of} seeds)`;
  if (observed === 'fails') return holding === 0 ? ` (mean over ${of} seeds); fails for every seed` : ` (mean over ${of} seeds); fails on average, though it holds for ${holding} of ${of} seeds`;
  return `; holds for ${holding} of ${of} seeds`;
}

/** Every claim for every setting that ran, in the report's setting order. */
export function checkClaims(data: AggregateData, params: RenderParams): ClaimCheck[] {
  return CLAIMS.flatMap((claim) =>
    settingOrder(data).map((setting) => {
      const scope = scopeOf(data.settings[setting]!.dataset);
      return { claim: claim.text, setting, expected: scope ? claim.paper[scope] : null, ...checkSetting(claim, data, setting, params) };
    }),
  );
}

/** Whether every seed the run can tell about gives the paper's verdict. */
function everySeedAgrees(check: ClaimCheck): boolean {
  if (check.seeds === null) return false;
  return check.expected === 'holds' ? check.seeds.holding === check.seeds.of : check.seeds.holding === 0;
}

/**
 * One sentence: how many checks agree with the paper where it makes a statement and the run can tell; with several
 * seeds, the verdicts are on the mean, and it adds on how many of those checks every seed agrees.
 */
export function claimsSummary(checks: readonly ClaimCheck[]): string {
  const comparable = checks.filter((check) => check.expected !== null && check.observed !== null);
  if (comparable.length === 0) return 'No check can be compared with the paper: no setting of a dataset the paper studies was swept from iteration 0.';
  const agreeing = comparable.filter((check) => check.expected === check.observed).length;
  const sentence = `This run agrees with the paper on ${agreeing} of ${comparable.length} checks where the paper makes a statement for the setting's dataset`;
  if (!checks.some((check) => (check.seeds?.of ?? 0) > 1)) return `${sentence}.`;
  const everySeed = comparable.filter(everySeedAgrees).length;
  return `${sentence} (on the mean over seeds); every seed agrees with the paper on ${everySeed} of ${comparable.length}.`;
}
