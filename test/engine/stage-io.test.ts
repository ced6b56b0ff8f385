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
    project.pipeline(
      `stages:\n  data:\n    cmd: echo\n  train:\n    foreach: [a, b]\n    do:\n      cmd: echo \${in.data}\n      needs: [data]\n      resources: { gpu: 1 }\n  report:\n    cmd: echo\n    needs: [train]\n`,
    );
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
    // Each report is whole lines: the summary ends the output with its newline, in a terminal or a pipe.
    for (const output of [dry.stdout, gc.stdout]) expect(output).toMatch(/^keeping what [^\n]*\n[^\n]*the last 1 run\(s\)\)\n$/);
    expect(project.entries()).toEqual([parse(project.read('pipeline.lock')).stages.a.key]);
    const after = await project.run(['run']);
    expect(after.stderr).toContain('fresh      a');
  });
});

describe('gc keeps what every lock file sharing the cache names', () => {
  it('the locks of -f other.yaml beside it and of a pipeline elsewhere on the same PIPELINE_CACHE_DIR', async () => {
    const cache = path.join(project.dir, 'shared-cache');
    const env = { PIPELINE_CACHE_DIR: cache };
    const elsewhere = new Project();
    try {
      project.write('other.yaml', `stages:\n  b:\n    cmd: ${project.stage('--write b.txt=other')}\n`);
      elsewhere.pipeline(`stages:\n  c:\n    cmd: ${elsewhere.stage('--write c.txt=elsewhere')}\n`);
      expect((await project.run(['-f', 'other.yaml', 'run'], env)).code).toBe(0);
      expect((await elsewhere.run(['run'], env)).code).toBe(0);
      for (const value of ['one', 'two', 'three']) {
        project.pipeline(`stages:\n  a:\n    cmd: ${project.stage(`--write a.txt=${value}`)}\n`);
        expect((await project.run(['run'], env)).code).toBe(0);
      }
      project.write('yarn.lock', '# not a pipeline lock\n"left-pad@^1.0.0":\n  version "1.3.0"\n');
      const gc = await project.run(['gc', '--keep-runs', '1'], env);
      expect(gc.code).toBe(0);
      expect(gc.stdout).toContain(`keeping what these lock files name: other.lock (1 stage), pipeline.lock (1 stage), ${path.join(elsewhere.dir, 'pipeline.lock')} (1 stage)\n`);
      expect(gc.stdout).toContain('removed 2 cache entries');
      expect(gc.stdout).toContain('3 kept (the lock files and the last 1 run(s))\n');
      expect((await project.run(['-f', 'other.yaml', 'status'], env)).stdout).toContain('fresh');
      expect((await elsewhere.run(['status'], env)).stdout).toContain('fresh');

      // A pipeline's lock that cannot be read stops gc rather than deleting what it may name.
      project.write('other.lock', ': not yaml [');
      const refused = await project.run(['gc'], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('other.lock: unreadable lock file; gc keeps what every lock file sharing the cache names');
      expect(fs.readdirSync(path.join(cache, 'entries'))).toHaveLength(3);
    } finally {
      elsewhere.cleanup();
    }
  });
});
