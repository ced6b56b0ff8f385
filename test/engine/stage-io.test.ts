import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Project } from './rig.js';

let project: Project;

function du(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? du(full) : fs.statSync(full).size);
  }, 0);
}
beforeEach(() => (project = new Project()));
afterEach(() => project.cleanup());

describe('what a stage process receives', () => {
  it('${out}, ${in.X}, PIPELINE_* variables, resolved params and group inputs as member symlinks', async () => {
    project.pipeline(`params:
  settings:
    - { name: lenet, checkpoints: [0, 100] }
    - { name: conv, checkpoints: [0] }
stages:
  train:
    foreach: \${params.settings}
    do:
      cmd: ${project.stage('--write model.txt=${item.name}')}
      params:
        setting: \${item}
  sweep:
    foreach: \${params.settings}
    do:
      foreach: \${item.checkpoints}
      do:
        cmd: ${project.stage('--write point.txt=${outer.key}@${item}')} --name "\${key}" && cat \${in.train}/model.txt >> \${out}/point.txt
        needs:
          train: train@\${outer.key}
  aggregate:
    cmd: ${project.stage()} && ls \${in.sweep} > \${out}/members.txt && cat \${in.sweep}/*/point.txt > \${out}/all.txt
    needs: [sweep]
    env:
      OMP_NUM_THREADS: 1
`);
    const result = await project.run(['run']);
    expect(result.code).toBe(0);
    const started = project.recorded().filter((entry) => entry.event === 'start');
    expect(started.map((entry) => entry.name).sort()).toEqual(['0', '0', '100', 'aggregate', 'train@conv', 'train@lenet']);
    const train = started.find((entry) => entry.name === 'train@lenet')!;
    expect(train.params).toEqual({ setting: { name: 'lenet', checkpoints: [0, 100] } });
    expect(train.cwd).toBe(fs.realpathSync(project.dir));
    expect(train.out).toMatch(/cache\/tmp\/.+\/out$/);
    const aggregate = started.find((entry) => entry.name === 'aggregate')!;
    expect(Object.keys(aggregate.inputs)).toEqual(['PIPELINE_IN_SWEEP']);
    const entryOf = (stage: string) => path.join(project.dir, 'cache/entries', parse(project.read('pipeline.lock')).stages[stage].key, 'out');
    expect(fs.readFileSync(path.join(entryOf('aggregate'), 'members.txt'), 'utf8')).toBe('conv@0\nlenet@0\nlenet@100\n');
    expect(fs.readFileSync(path.join(entryOf('aggregate'), 'all.txt'), 'utf8')).toBe('conv@0conv\nlenet@0lenet\nlenet@100lenet\n'.replace(/\n/g, ''));
    expect(fs.readFileSync(path.join(entryOf('sweep@lenet@100'), 'point.txt'), 'utf8')).toBe('lenet@100lenet');
  });

  it('a resumable stage keeps its scratch dir across a failure and loses it after success', async () => {
    const yaml = `stages:\n  train:\n    resumable: true\n    cmd: 'if [ -f \${scratch}/step ]; then cp \${scratch}/step \${out}/resumed-from; else echo 7 > \${scratch}/step; exit 1; fi'\n`;
    project.pipeline(yaml);
    const first = await project.run(['run']);
    expect(first.code).toBe(1);
    const second = await project.run(['run']);
    expect(second.code).toBe(0);
    const key = parse(project.read('pipeline.lock')).stages.train.key;
    expect(fs.readFileSync(path.join(project.dir, 'cache/entries', key, 'out/resumed-from'), 'utf8')).toBe('7\n');
    expect(fs.existsSync(path.join(project.dir, 'cache/scratch', key))).toBe(false);
  });

  it('metrics are summarised in the lock, PIPELINE_INFO lands there too, and publish copies the output', async () => {
    project.pipeline(`stages:
  train:
    cmd: ${project.stage(`--write 'metrics.json={"final":{"accuracy":0.98,"loss":0.07},"name":"x"}' --write 'figures/a.svg=<svg/>'`)} && echo '{"backend":"wasm","device":"cpu","ignored":{}}' > "$PIPELINE_INFO"
    metrics: [metrics.json]
    publish:
      figures: reports/figures
      metrics.json: reports/final-metrics.json
`);
    const result = await project.run(['run']);
    expect(result.code).toBe(0);
    const lock = parse(project.read('pipeline.lock')).stages.train;
    expect(lock.metrics).toEqual({ 'final.accuracy': 0.98, 'final.loss': 0.07 });
    expect(lock.info).toEqual({ backend: 'wasm', device: 'cpu' });
    expect(project.read('reports/figures/a.svg')).toBe('<svg/>');
    expect(JSON.parse(project.read('reports/final-metrics.json')).final.accuracy).toBe(0.98);
    expect(result.stderr).toContain('published  train → reports/figures (1 file(s) updated)');
    // A deleted published file comes back on the next (otherwise no-op) run.
    fs.rmSync(path.join(project.dir, 'reports/figures/a.svg'));
    const again = await project.run(['run']);
    expect(again.stderr).toContain('fresh      train');
    expect(project.read('reports/figures/a.svg')).toBe('<svg/>');
  });
});

describe('dag and gc', () => {
  it('dag folds fan-out groups into one line', async () => {
    project.pipeline(`stages:\n  data:\n    cmd: echo\n  train:\n    foreach: [a, b]\n    do:\n      cmd: echo \${in.data}\n      needs: [data]\n      resources: { gpu: 1 }\n  report:\n    cmd: echo\n    needs: [train]\n`);
    const text = await project.run(['dag']);
    expect(text.stdout).toBe('data\ntrain ×2  ← data  [gpu: 1]\nreport  ← train\n');
    const dot = await project.run(['dag', '--dot']);
    expect(dot.stdout).toContain('"train@a" -> "report";');
  });

  it('gc drops entries that neither the lock nor a recent run uses, and reports the bytes freed', async () => {
    const yaml = (value: string) => `stages:\n  a:\n    cmd: ${project.stage(`--write data.txt=${value}`)}\n`;
    for (const value of ['one', 'two', 'three']) {
      project.pipeline(yaml(value));
      await project.run(['run']);
    }
    expect(project.entries()).toHaveLength(3);
    const keep = parse(project.read('pipeline.lock')).stages.a.key;
    const doomed = project.entries().filter((key) => key !== keep);
    const bytes = doomed.map((key) => du(path.join(project.dir, 'cache/entries', key))).reduce((a, b) => a + b, 0);
    const shown = bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
    const dry = await project.run(['gc', '--keep-runs', '1', '--dry-run']);
    expect(dry.stdout).toContain(`would remove 2 cache entries, ${shown} would be freed`);
    expect(project.entries()).toHaveLength(3);
    const gc = await project.run(['gc', '--keep-runs', '1']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toContain(`removed 2 cache entries, ${shown} freed; 1 kept`);
    expect(project.entries()).toEqual([parse(project.read('pipeline.lock')).stages.a.key]);
    const after = await project.run(['run']);
    expect(after.stderr).toContain('fresh      a');
  });
});
