// Loads pipeline.yaml through a memo of its expanded, validated graph, keyed by the file's (inode, size, mtime).
// A no-op run then loads neither the YAML parser nor the schema validator; both come back only when
// pipeline.yaml or the engine changes, or when an error has to point at a line.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../cache/atomic.js';
import { moduleFile, schemaFile } from '../paths.js';
import type { StageInput } from './graph.js';
import { displayName, loadPipeline, type Pipeline } from './load.js';
import type { Override } from './overrides.js';
import type { StageDefinition } from './stage.js';
import { layerOverBase } from './extends.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

interface Memo {
  stamp: string;
  /** The files read besides pipeline.yaml (the one a profile extends), with their stamps: an edit there counts too. */
  sources: string[];
  sourceStamps: string[];
  stages: StageDefinition[];
  inputs: [string, StageInput[]][];
  dependents: [string, string[]][];
  groups: [string, string[]][];
  order: string[];
  toolchainEnv: string[];
  executor: Pipeline['executor'];
  cache: Pipeline['cache'];
}

function fileStamp(file: string): string {
  const stat = fs.statSync(file, { bigint: true });
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
}

/** Changes whenever pipeline.yaml, the schema or the engine's build changes. */
function stampOf(file: string): string {
  const stat = fs.statSync(file, { bigint: true });
  return [`${stat.ino}:${stat.size}:${stat.mtimeNs}`, fs.statSync(moduleFile).mtimeMs, fs.statSync(schemaFile()).mtimeMs].join('|');
}

export function memoFileFor(file: string, cacheDir: string): string {
  return path.join(cacheDir, 'state', `spec-${path.basename(file)}.json`);
}

function revive(file: string, memo: Memo): Pipeline {
  const absolute = path.resolve(file);
  return withLazySource(absolute, {
    stages: new Map(memo.stages.map((stage) => [stage.name, stage])),
    inputs: new Map(memo.inputs),
    dependents: new Map(memo.dependents),
    groups: new Map(memo.groups),
    order: memo.order,
    toolchainEnv: memo.toolchainEnv,
    executor: memo.executor,
    cache: memo.cache ?? {},
    sources: [absolute, ...memo.sources],
    file: absolute,
    root: path.dirname(absolute),
  });
}

/**
 * The pipeline with its YAML source parsed again only when a message needs a line number. A freshly
 * loaded one gives up its parsed document too: with a position for every node it is the size of the
 * file many times over (a fan-out of 10,000 keys: 2 MB), kept for a whole run that never reads it.
 */
function withLazySource(absolute: string, parts: Omit<Pipeline, 'source'>): Pipeline {
  let source: YamlSource | undefined;
  const pipeline = parts;
  Object.defineProperty(pipeline, 'source', {
    enumerable: true,
    get: () => {
      if (source) return source;
      const written = parseYamlSource(displayName(absolute), fs.readFileSync(absolute, 'utf8'));
      return (source = layerOverBase(written, absolute, displayName)?.source ?? written);
    },
  });
  return pipeline as Pipeline;
}

export function loadPipelineMemoized(file: string, cacheDir: (root: string) => string, overrides: readonly Override[] = []): Pipeline {
  // Overrides are one command's: they neither read nor write the memo of the file as written.
  if (overrides.length > 0) return loadPipeline(file, overrides);
  const absolute = path.resolve(file);
  let stamp: string | undefined;
  let memoFile: string | undefined;
  try {
    stamp = stampOf(absolute);
    memoFile = memoFileFor(absolute, cacheDir(path.dirname(absolute)));
    const memo = JSON.parse(fs.readFileSync(memoFile, 'utf8')) as Memo;
    if (memo.stamp === stamp && memo.sources.every((other, index) => fileStamp(other) === memo.sourceStamps[index])) return revive(absolute, memo);
  } catch {
    // No memo (or no pipeline file: loadPipeline says so properly).
  }
  const pipeline = loadPipeline(file);
  if (stamp && memoFile) {
    const others = pipeline.sources.filter((other) => other !== absolute);
    const memo: Memo = {
      stamp,
      sources: others,
      sourceStamps: others.map(fileStamp),
      stages: [...pipeline.stages.values()],
      inputs: [...pipeline.inputs],
      dependents: [...pipeline.dependents],
      groups: [...pipeline.groups],
      order: pipeline.order,
      toolchainEnv: pipeline.toolchainEnv,
      executor: pipeline.executor,
      cache: pipeline.cache,
    };
    try {
      fs.mkdirSync(path.dirname(memoFile), { recursive: true });
      writeFileAtomicSync(memoFile, JSON.stringify(memo), false);
    } catch {
      // Only a speed-up.
    }
  }
  const { source: parsed, ...parts } = pipeline;
  void parsed;
  return withLazySource(absolute, parts);
}
