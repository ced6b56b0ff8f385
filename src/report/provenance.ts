// Reads the runner's PIPELINE_UPSTREAM file into one provenance row per stage (docs/stage-interface.md).
import { readFile } from 'node:fs/promises';
import { ReportError } from './errors.js';
import { assertMatchesSchema } from './json-schema.js';

export interface ProvenanceRow {
  stage: string;
  key: string;
  output_hash: string;
  duration_s: number | null;
  ran_on: string;
  backend: string;
  device: string;
}

/** Where a stage ran, as the engine records it. */
interface RanOn {
  host?: string;
  executor?: string;
  gpus?: string;
}

interface UpstreamEntry {
  key: string;
  output_hash?: string;
  duration_s?: number | null;
  ran_on?: string | RanOn | null;
  info?: Record<string, string | number> | null;
}

const upstreamSchema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['key'],
    properties: {
      key: { type: 'string' },
      output_hash: { type: 'string' },
      duration_s: { type: ['number', 'null'] },
      ran_on: {
        anyOf: [
          { type: ['string', 'null'] },
          {
            type: 'object',
            properties: { host: { type: 'string' }, executor: { type: 'string' }, gpus: { type: 'string' } },
          },
        ],
      },
      info: { type: ['object', 'null'] },
    },
  },
};

/** "host (executor, GPUs 0,1)" from the engine's record; a plain string is kept as it is. */
export function describeRanOn(ranOn: UpstreamEntry['ran_on']): string {
  if (ranOn === null || ranOn === undefined) return '';
  if (typeof ranOn === 'string') return ranOn;
  const details = [ranOn.executor, ranOn.gpus ? `GPUs ${ranOn.gpus}` : undefined].filter(Boolean).join(', ');
  return details ? `${ranOn.host ?? '?'} (${details})` : (ranOn.host ?? '');
}

// linpath's stage kinds in pipeline order; other stages (a user's own) follow them.
const KIND_ORDER = ['fetch-data', 'train', 'sweep', 'aggregate'];

function kindRank(stage: string): number {
  const rank = KIND_ORDER.indexOf(stage.split('@')[0]!);
  return rank === -1 ? KIND_ORDER.length : rank;
}

/** One row per upstream stage, in pipeline order, then by name with numbers compared as numbers (@20 before @100). */
export function provenanceFromUpstream(upstream: unknown, where: string): ProvenanceRow[] {
  assertMatchesSchema<Record<string, UpstreamEntry>>(upstream, upstreamSchema, where);
  return Object.entries(upstream)
    .sort(([a], [b]) => kindRank(a) - kindRank(b) || a.localeCompare(b, 'en', { numeric: true }))
    .map(([stage, entry]) => ({
      stage,
      key: entry.key,
      output_hash: entry.output_hash ?? '',
      duration_s: entry.duration_s ?? null,
      ran_on: describeRanOn(entry.ran_on),
      backend: String(entry.info?.backend ?? ''),
      device: String(entry.info?.device ?? ''),
    }));
}

export async function readProvenance(path: string): Promise<ProvenanceRow[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ReportError('missing-input', `PIPELINE_UPSTREAM ${path}: ${(cause as Error).message}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ReportError('corrupt-input', `PIPELINE_UPSTREAM ${path}: not JSON (${(cause as Error).message})`, { cause });
  }
  return provenanceFromUpstream(parsed, `PIPELINE_UPSTREAM ${path}`);
}
