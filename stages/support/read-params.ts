// A stage's resolved params (--params FILE or $PIPELINE_PARAMS) as a JSON object, or a usage error naming the file.
import { readFile } from 'node:fs/promises';
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
