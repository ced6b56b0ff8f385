// Which stages a command acts on: the named ones (a group names all its members, and a level of a nested fan-out the
// members under it: sweep@mnist_lenet_300_100 is every seed and checkpoint of that setting), their upstream, optionally
// their downstream.
import { PipelineError } from '../errors.js';
import type { Pipeline } from '../pipeline/load.js';

export interface Selection {
  /** Every stage the run looks at, in topological order. */
  stages: string[];
  /** The stages the user named (all of them when none was named). */
  named: Set<string>;
}

export function expandNames(pipeline: Pipeline, names: readonly string[]): Set<string> {
  const chosen = new Set<string>();
  for (const name of names) {
    const members = pipeline.stages.has(name) ? [name] : (pipeline.groups.get(name) ?? membersUnder(pipeline, name));
    if (!members) {
      const known = [...pipeline.groups.keys(), ...[...pipeline.stages.keys()].filter((stage) => !stage.includes('@'))];
      throw new PipelineError('bad-usage', `no stage or fan-out group named "${name}" in ${pipeline.source.file} (stages: ${known.join(', ')})`);
    }
    for (const member of members) chosen.add(member);
  }
  return chosen;
}

/** The members of a group whose names continue `level` (`sweep@a` → sweep@a@1@0, sweep@a@1@3, …), or undefined. */
function membersUnder(pipeline: Pipeline, level: string): string[] | undefined {
  const at = level.indexOf('@');
  const group = at > 0 ? pipeline.groups.get(level.slice(0, at)) : undefined;
  if (!group) return undefined;
  const under = group.filter((member) => member.startsWith(`${level}@`));
  return under.length > 0 ? under : undefined;
}

export function selectStages(pipeline: Pipeline, names: readonly string[], downstream: boolean): Selection {
  const named = names.length === 0 ? new Set(pipeline.order) : expandNames(pipeline, names);
  const wanted = new Set(named);
  if (downstream) {
    const queue = [...named];
    while (queue.length > 0) {
      for (const next of pipeline.dependents.get(queue.pop()!) ?? []) {
        if (!wanted.has(next)) {
          wanted.add(next);
          queue.push(next);
        }
      }
    }
  }
  const withUpstream = new Set<string>();
  const visit = (stage: string) => {
    if (withUpstream.has(stage)) return;
    withUpstream.add(stage);
    for (const input of pipeline.inputs.get(stage) ?? []) input.stages.forEach(visit);
  };
  wanted.forEach(visit);
  const finalNamed = downstream ? wanted : named;
  return { stages: pipeline.order.filter((stage) => withUpstream.has(stage)), named: finalNamed };
}
