// Stage program: the instability analysis (Frankle et al. 2020) from the sweeps between children: instability.csv,
// instability.json (src/artifacts/instability.ts) and metrics.json.
//
//   node --import tsx stages/instability.ts --sweeps DIR --out DIR [--params FILE]
//
// --sweeps is the child↔child sweep fan-out group (${in.instability_sweep}): one folder per (setting, t) holding a sweep.json
// whose endpoints name two children branched at t. Params ($PIPELINE_PARAMS): { loss: 0.05, error: 0.02 }, the thresholds of
// the stability point (the instability at or below which two children count as linearly connected).
import { mkdir, readdir } from 'node:fs/promises';
import { Command } from 'commander';
import { writeInstability } from '../src/artifacts/instability.js';
import { writeMetrics } from '../src/artifacts/metrics.js';
import { readSweeps } from '../src/ml/barriers/inputs.js';
import { aggregateInstability, type InstabilityThresholds } from '../src/ml/instability/aggregate.js';
import { readParams } from './support/compute-stage.js';
import { runStage, UsageError } from './support/stage-main.js';

const program = new Command('instability')
  .description('Measure the instability of every (setting, t) from the sweeps between its two children, and the stability point of each setting.')
  .requiredOption('--sweeps <dir>', 'the child↔child sweep fan-out group (${in.instability_sweep}): one folder per member holding sweep.json')
  .requiredOption('--out <dir>', 'output directory (${out})')
  .option('--params <file>', 'params JSON (default $PIPELINE_PARAMS): { loss, error } thresholds')
  .exitOverride();

/** The thresholds from params; the defaults are Frankle et al.'s 2 % error, and a loss threshold of the same spirit. */
function parseThresholds(params: Record<string, unknown>): InstabilityThresholds {
  const unknown = Object.keys(params).filter((key) => key !== 'loss' && key !== 'error');
  if (unknown.length > 0) throw new UsageError(`params.${unknown[0]}: unknown (known: loss, error)`);
  const threshold = (key: 'loss' | 'error', fallback: number) => {
    const value = params[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new UsageError(`params.${key}: expected a number ≥ 0, got ${JSON.stringify(value)}`);
    return value;
  };
  return { loss: threshold('loss', 0.05), error: threshold('error', 0.02) };
}

async function main(): Promise<void> {
  program.parse();
  const options = program.opts<{ sweeps: string; out: string; params?: string }>();
  const thresholds = parseThresholds(await readParams(options.params));
  // No members: the analysis is switched off (params.instability is {} or lists no t); an empty document says so to render.
  const members = (await readdir(options.sweeps)).filter((name) => !name.startsWith('.'));
  const { document, metrics } = aggregateInstability(members.length === 0 ? [] : await readSweeps(options.sweeps), thresholds);
  await mkdir(options.out, { recursive: true });
  await writeInstability(options.out, document);
  await writeMetrics(options.out, metrics);
  if (members.length === 0) console.log('instability: no sweeps between children (the analysis is switched off): an empty analysis');
  for (const [setting, s] of Object.entries(document.settings)) {
    const point = s.stability_point.error === null ? 'none' : `t = ${s.stability_point.error}`;
    console.log(`instability: ${setting}: stability point (error instability ≤ ${thresholds.error}) ${point}`);
    for (const row of s.rows) {
      console.log(`  t ${String(row.iteration).padStart(7)}  error instability ${row.error.instability.toFixed(4)}  loss instability ${row.loss.instability.toFixed(4)}`);
    }
  }
}

runStage('instability', main);
