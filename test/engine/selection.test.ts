// Naming what to run: a stage, a fan-out group, or a level of a nested fan-out (every member under it).
import { afterEach, describe, expect, it } from 'vitest';
import { Project } from './rig.js';

let project: Project;
afterEach(() => project.cleanup());

describe('selecting stages by name', () => {
  it('a level of a nested fan-out selects every member under it, and a level with no member is refused', async () => {
    project = new Project();
    project.pipeline(`params:
  settings: { a: { seeds: [1, 2] }, ab: { seeds: [1] } }
stages:
  sweep:
    foreach: \${params.settings}
    do:
      foreach: \${item.seeds}
      do:
        foreach: [0, 5]
        do:
          cmd: ${project.stage('--write s.txt=${outer.outer.key}-${outer.item}-${item}')}
`);
    const setting = await project.run(['run', 'sweep@a']);
    expect(setting.code, setting.stderr).toBe(0);
    // sweep@ab@… shares the prefix "sweep@a" but is not under the level sweep@a.
    expect(project.takeStarted().sort()).toEqual(['sweep@a@1@0', 'sweep@a@1@5', 'sweep@a@2@0', 'sweep@a@2@5']);
    expect((await project.run(['run', 'sweep@ab@1'])).code).toBe(0);
    expect(project.takeStarted().sort()).toEqual(['sweep@ab@1@0', 'sweep@ab@1@5']);

    const none = await project.run(['run', 'sweep@c']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no stage or fan-out group named "sweep@c"');
  });
});
