// Stage program: turns the aggregate stage's output into figure1-3 (.svg .png .csv) and index.html in --out.
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { readAggregateOutput } from '../src/artifacts/aggregate-output.js';
import { readPlaneGroup } from '../src/artifacts/plane-output.js';
import { readInstability } from '../src/artifacts/instability.js';
import { ReportError } from '../src/report/errors.js';
import { resolveParams } from '../src/report/params.js';
import { readProvenance } from '../src/report/provenance.js';
import { renderReport } from '../src/report/render-report.js';
import { stageEnv } from './support/stage-env.js';
import { runStage, UsageError } from './support/stage-main.js';

interface Options {
  aggregate: string;
  out: string;
  planes?: string;
  instability?: string;
}

const program = new Command('render')
  .description("Render the paper's figures and the HTML report from the aggregate stage output.")
  .requiredOption('--aggregate <dir>', 'output directory of the aggregate stage (the stage ${in.aggregate})')
  .requiredOption('--out <dir>', 'output directory (the stage ${out})')
  .option('--planes <dir>', 'the plane fan-out group (${in.plane}), when the pipeline evaluates loss planes: adds their figure')
  .option('--instability <dir>', 'output directory of the instability stage (${in.instability}): adds its figure, table and stability points')
  .addHelpText(
    'after',
    '\nEnvironment: PIPELINE_PARAMS (JSON: colors, sequential_scheme, loss_threshold, error_threshold, png_scale),\n' +
      'PIPELINE_UPSTREAM (JSON provenance of the upstream stages, shown in the report; the runner sets it for a stage\n' +
      'with `provenance: true`, as pipeline.yaml declares render).',
  )
  .exitOverride();

async function readParams(path: string | undefined): Promise<unknown> {
  if (!path) return {};
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new ReportError('bad-params', `PIPELINE_PARAMS ${path}: ${(cause as Error).message}`, { cause });
  }
}

async function main(): Promise<void> {
  program.parse();
  const options = program.opts<Options>();
  const env = stageEnv();
  const paramsPath = env.params;
  let params;
  try {
    params = resolveParams(await readParams(paramsPath), `PIPELINE_PARAMS ${paramsPath ?? ''}`.trim());
  } catch (error) {
    // A wrong parameter is a usage error (exit 2), like a wrong flag.
    if (error instanceof ReportError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  const data = await readAggregateOutput(options.aggregate);
  const planes = options.planes === undefined ? [] : await readPlaneGroup(options.planes);
  const instability = options.instability === undefined ? null : await readInstability(options.instability);
  const provenance = env.upstream ? await readProvenance(env.upstream) : null;
  const started = performance.now();
  const written = await renderReport({ data, params, provenance, outDir: options.out, instability, planes });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.log(`render: wrote ${written.join(', ')} to ${options.out} in ${seconds} s`);
}

runStage('render', main);
