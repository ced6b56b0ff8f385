// Resume state in the scratch dir: weights and momentum buffers after the last checkpoint, plus the loop's bookkeeping.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../checkpoint/files.js';
import { readSafetensors, writeSafetensors, type TensorMap } from '../checkpoint/safetensors.js';
import type { HostWeights } from '../models/init.js';
import type { ModelDef } from '../models/spec.js';
import type { HistoryRow } from './history.js';

export interface ResumeState {
  iteration: number;
  weights: HostWeights;
  velocity: HostWeights;
  history: HistoryRow[];
}

interface ResumeHeader {
  recipe: string; // the recipe this state belongs to, as canonical JSON
  iteration: number;
  history: HistoryRow[];
}

const stateFile = (dir: string) => join(dir, 'resume.safetensors');
const headerFile = (dir: string) => join(dir, 'resume.json');

export async function saveResumeState(dir: string, recipeKey: string, model: ModelDef, state: ResumeState): Promise<void> {
  const tensors: TensorMap = new Map();
  // tfjs layout: only this program reads it back.
  for (const spec of model.tensors) tensors.set(spec.name, { shape: spec.shape, data: state.weights.get(spec.name)! });
  for (const [name, data] of state.velocity) tensors.set(`velocity.${name}`, { shape: [data.length], data });
  await writeSafetensors(stateFile(dir), tensors, { iteration: String(state.iteration) });
  // The header is written last: it names the iteration the tensors above belong to.
  const header: ResumeHeader = { recipe: recipeKey, iteration: state.iteration, history: state.history };
  await writeJsonAtomic(headerFile(dir), header);
}

/** The saved state, or undefined when there is none for this recipe (or it is unreadable: then training starts over). */
export async function loadResumeState(dir: string, recipeKey: string, model: ModelDef): Promise<ResumeState | undefined> {
  let header: ResumeHeader;
  try {
    header = JSON.parse(await readFile(headerFile(dir), 'utf8')) as ResumeHeader;
  } catch {
    return undefined;
  }
  if (header.recipe !== recipeKey) return undefined;
  try {
    const { tensors, metadata } = await readSafetensors(stateFile(dir));
    if (Number(metadata.iteration) !== header.iteration) return undefined;
    const weights: HostWeights = new Map();
    const velocity: HostWeights = new Map();
    for (const [name, t] of tensors) {
      if (name.startsWith('velocity.')) velocity.set(name.slice('velocity.'.length), t.data);
      else weights.set(name, t.data);
    }
    if (model.tensors.some((s) => !weights.has(s.name))) return undefined;
    return { iteration: header.iteration, weights, velocity, history: header.history };
  } catch {
    return undefined;
  }
}

export async function clearResumeState(dir: string): Promise<void> {
  await rm(stateFile(dir), { force: true });
  await rm(headerFile(dir), { force: true });
}
