// Stage program: collects every sweep and training summary into curves.csv, barriers.csv, barriers.json and metrics.json.
import { mkdir } from 'node:fs/promises';
import { Command } from 'commander';
import { writeAggregateOutput } from '../src/artifacts/aggregate-output.js';
import type { Spread } from '../src/artifacts/spread.js';
import { aggregate } from '../src/ml/barriers/aggregate.js';
import { readSweeps, readTrains } from '../src/ml/barriers/inputs.js';
import { readParams } from './support/read-params.js';
import { runStage } from './support/stage-main.js';

const program = new Command('aggregate')
  .description('Measure the loss and error barriers of every sweep and write the tables the figures need.')
  .requiredOption('--sweeps <dir>', 'the sweep fan-out group (${in.sweep}): one folder per member holding sweep.json')
  .requiredOption('--train <dir>', 'the train fan-out group (${in.train}): one folder per setting holding train.json')
  .requiredOption('--out <dir>', 'output directory (${out})')
  .addHelpText('after', "\nEnvironment: PIPELINE_PARAMS (JSON: the settings map, { name: { seeds, recipe } }; each recipe's dataset is recorded in barriers.json).")
  .exitOverride();

/** Params are the pipeline's settings map (`params: ${params.settings}`): each setting's recipe names its dataset. */
function datasetsOf(settings: Record<string, unknown>): Map<string, string> {
  const datasets = new Map<string, string>();
  for (const [setting, entry] of Object.entries(settings)) {
    const dataset = (entry as { recipe?: { dataset?: unknown } | null } | null)?.recipe?.dataset;
    if (typeof dataset === 'string') datasets.set(setting, dataset);
  }
  return datasets;
}

async function main(): Promise<void> {
  program.parse();
  const options = program.opts<{ sweeps: string; train: string; out: string }>();
  const [sweeps, trains] = await Promise.all([readSweeps(options.sweeps), readTrains(options.train)]);
  const tables = aggregate(sweeps, trains, datasetsOf(await readParams(undefined)));
  await mkdir(options.out, { recursive: true });
  await writeAggregateOutput(options.out, tables);
  const meanSd = ({ mean, sd }: Spread, n: number) => (n > 1 ? `${mean.toFixed(4)} ± ${sd.toFixed(4)}` : mean.toFixed(4));
  for (const [setting, s] of Object.entries(tables.barriers.settings)) {
    const n = s.seeds.length;
    console.log(`aggregate: ${setting}: ${n} seed${n === 1 ? '' : 's'}, final test error ${meanSd(s.final.test_error, n)}, ${s.rows.length} checkpoints`);
    for (const row of s.rows) {
      console.log(`  it ${String(row.iteration).padStart(7)}  loss rise above start ${meanSd(row.loss.above_start, n)}  error rise ${meanSd(row.error.above_start, n)}`);
    }
  }
}

runStage('aggregate', main);
