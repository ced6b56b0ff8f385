// What the train and sweep stage programs share: reading PIPELINE_PARAMS, choosing and recording the backend, peak memory.
import { recordBackend } from '../../src/ml/backend/record.js';
import { selectBackend, type BackendChoice } from '../../src/ml/backend/select.js';
export { readParams } from './read-params.js';

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
