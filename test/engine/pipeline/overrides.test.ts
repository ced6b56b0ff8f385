// --set / -S: params overridden for one command, as if written in pipeline.yaml — in keys, in status, checked, never half-applied.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../rig.js';

let project: Project;
beforeEach(() => {
  project = new Project();
  project.pipeline(`params:
  settings:
    lenet: { lr: 0.1, epochs: 3 }
  sweep:
    points: 100
    modes: [interpolate]
stages:
  train:
    foreach: \${params.settings}
    do:
      cmd: ${project.stage('--write model.txt=${key}')}
      params:
        recipe: \${item}
  sweep:
    cmd: ${project.stage('--write curve.txt=x')} && cp "$PIPELINE_PARAMS" \${out}/params.json
    params: \${params.sweep}
    needs: [train]
    publish: reports/
`);
});
afterEach(() => project.cleanup());

describe('--set', () => {
  it('reruns exactly what the param touches, says so in status and -n, and going back reruns nothing', async () => {
    expect((await project.run(['run'])).code).toBe(0);
    project.takeStarted();
    const lockBefore = project.read('pipeline.lock');

    const status = await project.run(['status', '--set', 'sweep.points=50']);
    expect(status.stdout).toContain('stale     sweep\n            - param points: 100 → 50');
    expect(status.stdout).toContain('fresh     train@lenet');
    const dry = await project.run(['run', '-n', '-S', 'sweep.points=50']);
    expect(dry.stderr).toMatch(/would run\s+sweep: param points: 100 → 50/);
    expect(project.takeStarted()).toEqual([]);

    const overridden = await project.run(['run', '-S', 'sweep.points=50', '-S', 'settings.lenet.lr=0.2']);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(project.takeStarted().sort()).toEqual(['sweep', 'train@lenet']);
    expect(JSON.parse(project.read('reports/params.json')).points).toBe(50);

    // The file as written: the earlier results come back from the cache.
    const back = await project.run(['run']);
    expect(back.code).toBe(0);
    expect(project.takeStarted()).toEqual([]);
    expect(project.read('pipeline.lock')).toBe(lockBefore);
  });

  it('takes YAML values: a list stays a list', async () => {
    expect((await project.run(['run'])).code).toBe(0);
    const status = await project.run(['status', '-S', 'sweep.modes=[interpolate, recompute]']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/stale {5}sweep\n {12}- param modes/);
  });

  it.each([
    [['sweep.points'], /--set sweep.points: expected PATH=VALUE/],
    [['sweep.points=abc'], /pipeline.yaml:\d+:\d+: params.sweep.points: --set sweep.points=abc: this param is a number \(100\), the override a string/],
    [['sweep.pints=5'], /params.sweep: --set sweep.pints=5: there is no param sweep.pints \(params.sweep has: points, modes\)/],
    [['sweep.points=.inf'], /infinities and NaN are not values a param can hold/],
    [['sweep.modes=recompute'], /this param is a list .*the override a string/],
    [['.points=5'], /is not a param path/],
    [['sweep.points=5', 'nothere=1'], /there is no param nothere \(params has: settings, sweep\)/],
  ])('refuses %j with exit 2 and one line naming it, and runs nothing', async (sets, message) => {
    const result = await project.run(['run', ...sets.flatMap((s) => ['--set', s])]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(project.takeStarted()).toEqual([]);
  });
});
