// A fan-out over an empty params map or list is switched off: no members, and a stage that needs it reads an empty input.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dagCommand } from '../../../src/engine/commands/dag.js';
import { loadPipeline } from '../../../src/engine/pipeline/load.js';
import { Project } from '../rig.js';

let project: Project;
beforeEach(() => (project = new Project()));
afterEach(() => project.cleanup());

function pipelineWith(analyses: string): string {
  return `params:
  analyses: ${analyses}
stages:
  train:
    cmd: echo weights > \${out}/w.txt
  analysis:
    foreach: \${params.analyses}
    do:
      cmd: echo \${key} > \${out}/a.txt
      needs: [train]
  render:
    cmd: ls \${in.analysis} > \${out}/members.txt
    needs: [analysis]
`;
}

describe('a fan-out over an empty params value', () => {
  it('has no members, and the group still exists for the stages that need it', () => {
    project.pipeline(pipelineWith('{}'));
    const pipeline = loadPipeline(path.join(project.dir, 'pipeline.yaml'));
    expect([...pipeline.stages.keys()]).toEqual(['train', 'render']);
    expect(pipeline.groups.get('analysis')).toEqual([]);
    expect(pipeline.inputs.get('render')).toEqual([{ name: 'analysis', target: 'analysis', isGroup: true, stages: [] }]);
  });

  it('runs the rest; switching it on with -S runs the members and reruns what needs them', async () => {
    project.pipeline(pipelineWith('{}'));
    const off = await project.run(['run']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toContain('2 ran');
    const on = await project.run(['run', '-S', 'analyses={barrier: 1}']);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stderr).toMatch(/analysis@barrier/);
    expect(on.stderr).toContain('render');
  });

  it('pipeline dag shows the group as switched off, and who reads it', () => {
    project.pipeline(pipelineWith('{}'));
    let text = '';
    dagCommand({ file: path.join(project.dir, 'pipeline.yaml'), dot: false }, (written) => (text += written));
    expect(text).toBe('train\nrender  ← analysis\nanalysis ×0  (switched off: its foreach is empty)\n');
  });

  it('written empty in the file, it is still refused as a mistake', () => {
    project.pipeline('stages:\n  a:\n    foreach: []\n    do:\n      cmd: echo\n');
    expect(() => loadPipeline(path.join(project.dir, 'pipeline.yaml'))).toThrow('foreach gives an empty list');
  });
});
