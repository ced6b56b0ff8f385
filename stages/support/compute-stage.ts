// What the train and sweep stage programs share: reading PIPELINE_PARAMS, choosing and recording the backend, peak memory.
import { readFile } from 'node:fs/promises';
import { recordBackend } from '../../src/ml/backend/record.js';
import { selectBackend, type BackendChoice } from '../../src/ml/backend/select.js';
import { stageEnv } from './stage-env.js';
import { UsageError } from './stage-main.js';

/** The stage's resolved params: --params FILE, else $PIPELINE_PARAMS, else {} (every param then has a default or a flag). */
export async function readParams(explicit: string | undefined): Promise<Record<string, unknown>> {
  const file = explicit ?? stageEnv().params;
  if (!file) return {};
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new UsageError(`cannot read params file ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new UsageError(`params file ${file} is not a JSON object`);
  }
}

/** Initialises the backend (--backend, else $PIPELINE_BACKEND, else the best available), prints it and records it for the lock. */
export async function startBackend(stage: string, forced: string | undefined): Promise<BackendChoice> {
  const choice = await selectBackend({ forced, log: (line) => console.log(`${stage}: ${line}`) });
  console.log(`${stage}: backend ${choice.backend} (device ${choice.device})`);
  recordBackend(choice);
  return choice;
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
