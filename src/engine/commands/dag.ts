// `pipeline dag`: the stage graph as text (fan-out groups folded into one line) or as Graphviz dot.
import { cacheDirOf } from '../project.js';
import type { Pipeline } from '../pipeline/load.js';
import { loadPipelineMemoized } from '../pipeline/memo.js';
import { parseOverride } from '../pipeline/overrides.js';

function textGraph(pipeline: Pipeline): string {
  const lines: string[] = [];
  const shown = new Set<string>();
  for (const name of pipeline.order) {
    const stage = pipeline.stages.get(name)!;
    const label = stage.group ?? name;
    if (shown.has(label)) continue;
    shown.add(label);
    const members = stage.group ? pipeline.groups.get(stage.group)! : [name];
    const reads = new Set<string>();
    for (const member of members) {
      for (const input of pipeline.inputs.get(member) ?? []) {
        for (const upstream of input.stages) reads.add(pipeline.stages.get(upstream)!.group ?? upstream);
        if (input.isGroup && input.stages.length === 0) reads.add(input.target);
      }
    }
    const size = stage.group ? ` ×${members.length}` : '';
    const needs = reads.size > 0 ? `  ← ${[...reads].join(', ')}` : '';
    const gpu = stage.resources.gpu > 0 ? `  [gpu: ${stage.resources.gpu}]` : '';
    lines.push(`${label}${size}${needs}${gpu}`);
  }
  // A group whose foreach gave nothing has no stage to stand for it in the order: say that it is off.
  for (const [group, members] of pipeline.groups) if (members.length === 0) lines.push(`${group} ×0  (switched off: its foreach is empty)`);
  return `${lines.join('\n')}\n`;
}

function dotGraph(pipeline: Pipeline): string {
  const lines = ['digraph pipeline {', '  rankdir=LR;', '  node [shape=box, fontname="DejaVu Sans"];'];
  for (const name of pipeline.order) lines.push(`  ${JSON.stringify(name)};`);
  for (const name of pipeline.order) {
    for (const input of pipeline.inputs.get(name) ?? []) {
      for (const upstream of input.stages) lines.push(`  ${JSON.stringify(upstream)} -> ${JSON.stringify(name)};`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function dagCommand(options: { file: string; dot: boolean; set?: string[] }, write: (text: string) => void = (text) => process.stdout.write(text)): number {
  const pipeline = loadPipelineMemoized(options.file, cacheDirOf, (options.set ?? []).map(parseOverride));
  write(options.dot ? dotGraph(pipeline) : textGraph(pipeline));
  return 0;
}
