// A profile (`extends:`) runs another file's stages with its params layered over that file's, into its own lock.
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../rig.js';

let project: Project;
beforeEach(() => {
  project = new Project();
  project.pipeline(`params:
  settings: { small: { steps: 1 } }
  analyses: { barrier: 1 }
  label: default
stages:
  train:
    foreach: \${params.settings}
    do:
      cmd: ${project.stage('--write w.txt=${key}')}
      params:
        recipe: \${item}
  analysis:
    foreach: \${params.analyses}
    do:
      cmd: ${project.stage('--write a.txt=${key}')}
      needs: [train]
  render:
    cmd: ${project.stage('--write r.txt=${params.label}')}
    needs: [train, analysis]
`);
  project.write(
    'pipeline.paper.yaml',
    `# The paper's settings over the same stages, the analysis switched off.
extends: pipeline.yaml
params:
  settings: { big: { steps: 100 } }
  analyses: {}
`,
  );
});
afterEach(() => project.cleanup());

describe('profiles', () => {
  it('-P paper runs the same stages with its params, into its own lock; the default is untouched', async () => {
    const paper = await project.run(['-P', 'paper', 'run']);
    expect(paper.code, paper.stderr).toBe(0);
    expect(project.takeStarted().sort()).toEqual(['render', 'train@big']);
    expect(fs.existsSync(`${project.dir}/pipeline.paper.lock`)).toBe(true);
    expect(fs.existsSync(`${project.dir}/pipeline.lock`)).toBe(false);
    // A key the profile does not name keeps the base's value.
    expect(project.read('pipeline.paper.lock')).toContain('r.txt=default');

    expect((await project.run(['run'])).code).toBe(0);
    expect(project.takeStarted().sort()).toEqual(['analysis@barrier', 'render', 'train@small']);
    expect((await project.run(['-f', 'pipeline.paper.yaml', 'run'])).stderr).toContain('0 ran');
  });

  it('an edit to the base file reaches the profile (its memo watches both files)', async () => {
    await project.run(['-P', 'paper', 'run']);
    project.takeStarted();
    project.pipeline(project.read('pipeline.yaml').replace('label: default', 'label: edited'));
    const status = await project.run(['-P', 'paper', 'status']);
    expect(status.stdout).toMatch(/stale\s+render/);
    expect((await project.run(['-P', 'paper', 'run'])).code).toBe(0);
    expect(project.takeStarted()).toEqual(['render']);
  });

  it('set: changes one nested param by its path, as -S does; a wrong path or kind is located in the profile', async () => {
    project.write('pipeline.more.yaml', 'extends: pipeline.yaml\nset:\n  settings.small.steps: 7\n  label: more\n');
    const more = await project.run(['-P', 'more', 'run']);
    expect(more.code, more.stderr).toBe(0);
    expect(project.takeStarted().sort()).toEqual(['analysis@barrier', 'render', 'train@small']);
    expect(project.read('pipeline.more.lock')).toContain('r.txt=more');
    expect(project.read('pipeline.more.lock')).toMatch(/steps: 7/);

    project.write('pipeline.more.yaml', 'extends: pipeline.yaml\nset:\n  settings.smal.steps: 7\n');
    const typo = await project.run(['-P', 'more', 'status']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('pipeline.more.yaml:3:3: set.settings.smal.steps: there is no param settings.smal (params.settings has: small)');
    project.write('pipeline.more.yaml', 'extends: pipeline.yaml\nset:\n  settings.small.steps: many\n');
    const kind = await project.run(['-P', 'more', 'status']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('pipeline.more.yaml:3:3: set.settings.small.steps: this param is a number (1), the override a string');
    project.write('pipeline.more.yaml', 'extends: pipeline.yaml\nset: [settings.small.steps]\n');
    expect((await project.run(['-P', 'more', 'status'])).stderr).toContain('pipeline.more.yaml:2:6: set: expected a map of param paths to values');
  });

  it('-S overrides a param the profile set', async () => {
    const result = await project.run(['-P', 'paper', 'run', '-S', 'settings.big.steps=5']);
    expect(result.code, result.stderr).toBe(0);
    expect(project.read('pipeline.paper.lock')).toMatch(/recipe\.steps: 5/);
  });

  it.each([
    [
      'a profile with stages of its own',
      'extends: pipeline.yaml\nstages: {}\n',
      'pipeline.paper.yaml:2:1: stages: a profile (a file with extends:) runs the stages of pipeline.yaml with its own params: it may hold extends, params, set, toolchain, executor, not "stages"',
    ],
    ['a base that does not exist', 'extends: nope.yaml\n', 'pipeline.paper.yaml:1:10: extends: cannot read nope.yaml (ENOENT)'],
    ['a base outside the project', 'extends: ../elsewhere.yaml\n', 'pipeline.paper.yaml:1:10: extends: "../elsewhere.yaml" must be another pipeline file'],
  ])('%s: exit 2, located in the profile', async (_what, text, message) => {
    project.write('pipeline.paper.yaml', text);
    const result = await project.run(['-P', 'paper', 'status']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('an unknown profile names the file it looked for', async () => {
    const result = await project.run(['-P', 'nope', 'status']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pipeline.nope.yaml: cannot read the pipeline (no such file)');
  });
});
