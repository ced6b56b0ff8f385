// Resolves `needs` into edges, and refuses unknown stages, cycles and paths that leave the project.
import path from 'node:path';
import { SpecError } from '../errors.js';
import type { StageDefinition } from './stage.js';
import { commandReferences } from './command.js';
import { isProgramFile, programExtensions } from './program-file.js';
import { locate, type YamlSource } from './yaml-source.js';

/** One `needs` entry: the input name the command sees, and the stage(s) behind it. */
export interface StageInput {
  name: string;
  target: string;
  /** True when `target` names a fan-out group: the input is then a directory of its members. */
  isGroup: boolean;
  /** The stages this input reads, in declaration order. */
  stages: string[];
}

export interface StageGraph {
  stages: Map<string, StageDefinition>;
  inputs: Map<string, StageInput[]>;
  dependents: Map<string, string[]>;
  groups: Map<string, string[]>;
  /** Topological order, ties broken by declaration order. */
  order: string[];
}

function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, name.length / 3) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** A path written in pipeline.yaml must stay inside the project: no "..", no absolute paths elsewhere. */
export function insideRoot(root: string, written: string): boolean {
  const resolved = path.resolve(root, written);
  const relative = path.relative(root, resolved);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export function buildGraph(source: YamlSource, root: string, definitions: StageDefinition[]): StageGraph {
  const stages = new Map(definitions.map((stage) => [stage.name, stage]));
  const groups = new Map<string, string[]>();
  // Every fan-out is a group, also one whose foreach gave nothing (switched off): needing it reads an empty input.
  for (const [name, body] of Object.entries((source.value as { stages: Record<string, object> }).stages)) {
    if ('foreach' in body) groups.set(name, []);
  }
  for (const stage of definitions) {
    if (!stage.group) continue;
    const members = groups.get(stage.group);
    if (members) members.push(stage.name);
    else groups.set(stage.group, [stage.name]);
  }
  // Copied to their length before inputs share them (kept for the whole run, like dependents below).
  for (const [name, list] of groups) groups.set(name, list.slice());
  const at = (stage: StageDefinition, ...rest: (string | number)[]) => locate(source, [...stage.sourcePath, ...rest]);

  const inputs = new Map<string, StageInput[]>();
  const dependents = new Map<string, string[]>(definitions.map((stage) => [stage.name, []]));
  for (const stage of definitions) {
    const stageInputs: StageInput[] = [];
    for (const [name, target] of Object.entries(stage.needs)) {
      const members = groups.get(target);
      const isGroup = members !== undefined && !stages.has(target);
      const reads = isGroup ? members : stages.has(target) ? [target] : undefined;
      if (!reads) {
        const hint = closest(target, [...stages.keys(), ...groups.keys()]);
        throw new SpecError('spec-unknown-stage', at(stage, 'needs'), `needs "${target}", which names no stage${hint ? ` (did you mean "${hint}"?)` : ''}`);
      }
      if (reads.includes(stage.name)) {
        throw new SpecError('spec-cycle', at(stage, 'needs'), `stage "${stage.name}" needs itself (through "${target}")`);
      }
      stageInputs.push({ name, target, isGroup, stages: reads });
      for (const upstream of reads) dependents.get(upstream)!.push(stage.name);
    }
    inputs.set(stage.name, stageInputs);
    checkStage(stage, stageInputs, root, at);
  }
  // Arrays built by push keep room to grow (17 slots for one dependent): copied to their length, as the graph is
  // kept for the whole run (10,000 members of a fan-out each with one dependent: 1.5 MB of empty slots).
  for (const [name, list] of dependents) if (list.length > 0) dependents.set(name, list.slice());
  return { stages, inputs, dependents, groups, order: topologicalOrder(definitions, inputs, at) };
}

function checkStage(stage: StageDefinition, stageInputs: StageInput[], root: string, at: (stage: StageDefinition, ...rest: (string | number)[]) => ReturnType<typeof locate>): void {
  for (const reference of commandReferences(stage.command)) {
    if (reference.startsWith('in.') && !stageInputs.some((input) => input.name === reference.slice(3))) {
      const declared = stageInputs.map((input) => input.name).join(', ') || 'none';
      throw new SpecError('spec-template', at(stage, 'cmd'), `\${${reference}} does not resolve: "${reference.slice(3)}" is not in this stage's needs (declared: ${declared})`);
    }
    if (reference === 'scratch' && !stage.resumable) {
      throw new SpecError('spec-template', at(stage, 'cmd'), '${scratch} exists only for stages with resumable: true');
    }
  }
  if (stage.program !== undefined) {
    if (!insideRoot(root, stage.program)) {
      throw new SpecError('spec-path-escapes-root', at(stage, 'program'), `program "${stage.program}" is outside the project (${root}); it must live inside it`);
    }
    if (!isProgramFile(stage.program)) {
      const kinds = programExtensions.join(', ');
      throw new SpecError(
        'spec-schema',
        at(stage, 'program'),
        `program "${stage.program}" is not a JavaScript or TypeScript file (${kinds}): only their imports can be followed; list another kind of program under deps`,
      );
    }
  }
  stage.deps.forEach((dep, index) => {
    if (!insideRoot(root, dep)) {
      throw new SpecError('spec-path-escapes-root', at(stage, 'deps', index), `"${dep}" is outside the project (${root}); deps must live inside it`);
    }
  });
  for (const [from, to] of Object.entries(stage.publish)) {
    const key = from === '' ? [] : [from];
    if (!insideRoot(root, to) || path.resolve(root, to) === path.resolve(root)) {
      throw new SpecError('spec-path-escapes-root', at(stage, 'publish', ...key), `publish destination "${to}" must be a path inside the project, not the project itself`);
    }
    if (from !== '' && !insideRoot('/out', path.join('/out', from))) {
      throw new SpecError('spec-path-escapes-root', at(stage, 'publish', from), `"${from}" is outside the stage's output`);
    }
  }
  stage.metrics.forEach((file, index) => {
    if (path.isAbsolute(file) || !insideRoot('/out', path.join('/out', file))) {
      throw new SpecError('spec-path-escapes-root', at(stage, 'metrics', index), `metrics file "${file}" must be a path inside the stage's output`);
    }
  });
}

function topologicalOrder(definitions: StageDefinition[], inputs: Map<string, StageInput[]>, at: (stage: StageDefinition, ...rest: (string | number)[]) => ReturnType<typeof locate>): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const byName = new Map(definitions.map((stage) => [stage.name, stage]));
  const visit = (name: string, trail: string[]): void => {
    const current = state.get(name);
    if (current === 'done') return;
    if (current === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw new SpecError('spec-cycle', at(byName.get(name)!, 'needs'), `cycle: ${cycle.join(' → ')}`);
    }
    state.set(name, 'visiting');
    for (const input of inputs.get(name) ?? []) for (const upstream of input.stages) visit(upstream, [...trail, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const stage of definitions) visit(stage.name, []);
  return order;
}
