// Reads pipeline.yaml into a checked stage graph: parse, validate, expand, link.
import fs from 'node:fs';
import path from 'node:path';
import { PipelineError } from '../errors.js';
import { expandStages } from './expand.js';
import { layerOverBase } from './extends.js';
import { buildGraph, type StageGraph } from './graph.js';
import { applyOverrides, type Override } from './overrides.js';
import { checkPlainValues } from './plain-values.js';
import { validateSpec } from './validate.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

export interface ExecutorDefaults {
  kind?: 'local' | 'slurm';
  partition?: string;
  account?: string;
  time?: string;
  slurm_args?: string[];
}

export interface Pipeline extends StageGraph {
  /** Absolute path of pipeline.yaml. */
  file: string;
  /** The directory of pipeline.yaml: commands run here and relative paths start here. */
  root: string;
  source: YamlSource;
  /** Every file read: pipeline.yaml, and the file it extends when it is a profile. */
  sources: string[];
  /** Environment variables whose values enter every key. */
  toolchainEnv: string[];
  executor: ExecutorDefaults;
  /** `cache: { remote }`: kept here so a no-op run learns it from the memo, without parsing YAML (src/engine/remote/resolve.ts). */
  cache: { remote?: string };
}

export const defaultToolchainEnv = ['PIPELINE_BACKEND'];

/** How messages name the file: relative to the working directory when it is below it. */
export function displayName(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative === '' || relative.startsWith('..') ? absolute : relative;
}

export function loadPipeline(file: string, overrides: readonly Override[] = []): Pipeline {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code);
    throw new PipelineError('spec-not-found', `${file}: cannot read the pipeline (${why}); pass another with --file`, { cause });
  }
  const written = parseYamlSource(displayName(absolute), text);
  checkPlainValues(written);
  const layered = layerOverBase(written, absolute, displayName);
  const source = layered?.source ?? written;
  applyOverrides(source, overrides);
  validateSpec(source);
  const root = path.dirname(absolute);
  const graph = buildGraph(source, root, expandStages(source));
  const value = source.value as { toolchain?: { env?: string[] }; executor?: ExecutorDefaults; cache?: { remote?: string } };
  return {
    ...graph,
    file: absolute,
    root,
    source,
    sources: layered ? [absolute, layered.base] : [absolute],
    toolchainEnv: value.toolchain?.env ?? defaultToolchainEnv,
    executor: value.executor ?? {},
    cache: value.cache ?? {},
  };
}
