// Stage program: collects every sweep and training summary into curves.csv, barriers.csv, barriers.json and metrics.json.
import { mkdir } from 'node:fs/promises';
import { Command } from 'commander';
import { writeAggregateOutput } from '../src/artifacts/aggregate-output.js';
import { aggregate } from '../src/ml/barriers/aggregate.js';
import { readSweeps, readTrains } from '../src/ml/barriers/inputs.js';
import { readParams } from './support/read-params.js';
import { runStage } from './support/stage-main.js';

const program = new Command('aggregate')
  .description('Measure the loss and error barriers of every sweep and write the tables the figures need.')
  .requiredOption('--sweeps <dir>', 'the sweep fan-out group (${in.sweep}): one folder per member holding sweep.json')
  .requiredOption('--train <dir>', 'the train fan-out group (${in.train}): one folder per setting holding train.json')
  .requiredOption('--out <dir>', 'output directory (${out})')
  .addHelpText('after', "\nEnvironment: PIPELINE_PARAMS (JSON: the settings map; each recipe's dataset is recorded in barriers.json).")
  .exitOverride();

/** Params are the pipeline's settings map (`params: ${params.settings}`): each setting's recipe names its dataset. */
function datasetsOf(settings: Record<string, unknown>): Map<string, string> {
  const datasets = new Map<string, string>();
  for (const [setting, recipe] of Object.entries(settings)) {
    const dataset = (recipe as { dataset?: unknown } | null)?.dataset;
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
  for (const [setting, s] of Object.entries(tables.barriers.settings)) {
    console.log(`aggregate: ${setting}: final test error ${s.final.test_error.toFixed(4)}, ${s.rows.length} checkpoints`);
    for (const row of s.rows) {
      console.log(`  it ${String(row.iteration).padStart(7)}  loss rise above start ${row.loss.above_start.toFixed(4)}  error rise ${row.error.above_start.toFixed(4)}`);
    }
  }
}

runStage('aggregate', main);
