// Reads the runner's PIPELINE_UPSTREAM file into one provenance row per stage (docs/stage-interface.md).
import { readFile } from 'node:fs/promises';
import { ReportError } from './errors.js';
import { assertMatchesSchema } from './json-schema.js';

/**
 * What the report shows of an upstream stage: only what the lock records, so the report's bytes depend on
 * its inputs alone. Durations and hosts are in the run records (`pipeline status`), not here.
 */
export interface ProvenanceRow {
  stage: string;
  key: string;
  output_hash: string;
  backend: string;
  device: string;
}

interface UpstreamEntry {
  key: string;
  output_hash?: string;
  info?: Record<string, string | number> | null;
}

// Other fields (metrics, path, and the duration_s and ran_on an older runner passed) are allowed and not read.
const upstreamSchema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['key'],
    properties: {
      key: { type: 'string' },
      output_hash: { type: 'string' },
      info: { type: ['object', 'null'] },
    },
  },
};

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
