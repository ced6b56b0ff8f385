import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Project } from './rig.js';

let project: Project;
beforeEach(() => {
  project = new Project();
  project.write('src/prepare.py', 'print("v1")\n');
});
afterEach(() => project.cleanup());

function pipelineWith({ lr = 0.1, epochs = 3, prepared = 'same' } = {}): string {
  return `params:
  prepared: ${prepared}
  settings:
    lenet: { lr: ${lr}, epochs: ${epochs} }
    conv: { lr: 0.05, epochs: ${epochs} }
stages:
  prepare:
    cmd: ${project.stage('--write data.txt=${params.prepared}')}
    deps: [src/prepare.py]
  train:
    foreach: \${params.settings}
    do:
      cmd: ${project.stage('--write model.txt=${key}')} && cp "$PIPELINE_PARAMS" \${out}/params.json
      params:
        recipe: \${item}
      needs: [prepare]
  report:
    cmd: ${project.stage('--write r.txt=done')}
    needs: [train]
`;
}

describe('only what changed reruns', () => {
  it('runs everything once, then nothing', async () => {
    project.pipeline(pipelineWith());
    const first = await project.run(['run']);
    expect(first.code).toBe(0);
    expect(project.takeStarted().sort()).toEqual(['prepare', 'report', 'train@conv', 'train@lenet']);
    const second = await project.run(['run']);
    expect(second.code).toBe(0);
    expect(project.takeStarted()).toEqual([]);
    expect(second.stderr).toContain('0 ran, 4 fresh');
    // The no-op used the memo of the expanded pipeline (no YAML parse, no schema validation).
    const memo = JSON.parse(project.read('cache/state/spec-pipeline.yaml.json'));
    expect(memo.stages.map((stage: { name: string }) => stage.name).sort()).toEqual(['prepare', 'report', 'train@conv', 'train@lenet']);
    expect(JSON.parse(project.read('cache/state/lock-pipeline.lock.json')).lock.stages.prepare.key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('an edit to pipeline.yaml replaces the memo of the expanded pipeline', async () => {
    project.pipeline(pipelineWith());
    await project.run(['run']);
    project.takeStarted();
    project.pipeline(pipelineWith({ epochs: 4 }));
    const status = await project.run(['status']);
    expect(status.stdout).toContain('param recipe.epochs: 3 → 4');
    project.pipeline(`${pipelineWith()}  extra:\n    cmd: echo\n    needs: [nope]\n`);
    const broken = await project.run(['run']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('stages.extra.needs: needs "nope", which names no stage');
  });

  it('an edit to one param reruns that stage and what depends on it; reverting reruns nothing', async () => {
    project.pipeline(pipelineWith());
    await project.run(['run']);
    project.takeStarted();
    const lockBefore = project.read('pipeline.lock');

    project.pipeline(pipelineWith({ lr: 0.2 }));
    const status = await project.run(['status']);
    expect(status.stdout).toContain('stale     train@lenet\n            - param recipe.lr: 0.1 → 0.2');
    expect(status.stdout).toContain('fresh     train@conv');
    expect(status.stdout).toContain('fresh     prepare');
    const edited = await project.run(['run']);
    expect(edited.code).toBe(0);
    expect(project.takeStarted().sort()).toEqual(['report', 'train@lenet']);

    project.pipeline(pipelineWith({ lr: 0.1 }));
    const reverted = await project.run(['run']);
    expect(reverted.code).toBe(0);
    expect(project.takeStarted()).toEqual([]);
    expect(reverted.stderr).toContain('restored   train@lenet');
    expect(reverted.stderr).toContain('restored   report');
    expect(project.read('pipeline.lock')).toBe(lockBefore);
  });

  it('an upstream stage that reruns with identical bytes does not rerun its downstream', async () => {
    project.pipeline(pipelineWith());
    await project.run(['run']);
    project.takeStarted();
    project.write('src/prepare.py', 'print("v2")  # a comment that does not change the output\n');
    const status = await project.run(['status']);
    expect(status.stdout).toContain('stale     prepare\n            - dep src/prepare.py changed');
    const result = await project.run(['run']);
    expect(result.code).toBe(0);
    expect(project.takeStarted()).toEqual(['prepare']);
    expect(result.stderr).toContain('fresh      train@lenet');
  });

  it('a changed upstream output reruns the downstream, and status names the upstream', async () => {
    project.pipeline(pipelineWith());
    await project.run(['run']);
    project.takeStarted();
    project.pipeline(pipelineWith({ prepared: 'other' }));
    const status = await project.run(['status']);
    expect(status.stdout).toContain('stale     train@lenet\n            - upstream prepare would run first');
    await project.run(['run']);
    // The trainings reran on the new data but wrote the same bytes: report is untouched.
    expect(project.takeStarted().sort()).toEqual(['prepare', 'train@conv', 'train@lenet']);
    project.write('src/prepare.py', 'print("v3")\n');
    project.pipeline(pipelineWith());
    // prepare reruns (dep changed) and now produces the old bytes again: train finds its old entries.
    const back = await project.run(['run']);
    expect(project.takeStarted()).toEqual(['prepare']);
    expect(back.stderr).toContain('restored   train@lenet');
  });

  it('the lock is sorted, one block per stage, with key, output hash and inputs; duration and host are in the run record', async () => {
    project.pipeline(pipelineWith());
    await project.run(['run']);
    const lock = parse(project.read('pipeline.lock'));
    expect(Object.keys(lock.stages)).toEqual(['prepare', 'report', 'train@conv', 'train@lenet']);
    const train = lock.stages['train@lenet'];
    expect(train.key).toMatch(/^[0-9a-f]{64}$/);
    expect(train.output.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(train.duration_s).toBeUndefined();
    const run = JSON.parse(project.read(`cache/entries/${train.key}/run.json`));
    expect(run.duration_s).toBeGreaterThan(0);
    expect(run.ran_on.executor).toBe('local');
    expect(train.inputs.params).toEqual({ 'recipe.lr': 0.1, 'recipe.epochs': 3 });
    expect(fs.existsSync(path.join(project.dir, 'cache/entries', train.key, 'out/model.txt'))).toBe(true);
  });

  it('--force reruns the named stages only; --downstream adds their dependents', async () => {
    project.pipeline(pipelineWith());
    await project.run(['run']);
    project.takeStarted();
    await project.run(['run', '--force', 'train@conv']);
    expect(project.takeStarted()).toEqual(['train@conv']);
    await project.run(['run', '--force', '--downstream', 'prepare']);
    expect(project.takeStarted().sort()).toEqual(['prepare', 'report', 'train@conv', 'train@lenet']);
  });

  it('a group name selects its members and their upstream, nothing downstream', async () => {
    project.pipeline(pipelineWith());
    const result = await project.run(['run', 'train']);
    expect(result.code).toBe(0);
    expect(project.takeStarted().sort()).toEqual(['prepare', 'train@conv', 'train@lenet']);
    const dry = await project.run(['run', '--dry-run']);
    expect(dry.stderr).toContain('would run  report: never run');
    expect(project.takeStarted()).toEqual([]);
  });
});

describe('dep hashes are memoized by (path, inode, size, mtime)', () => {
  it('a no-op run does not re-read an unchanged dep', async () => {
    const big = project.write('data/big.bin', 'a'.repeat(1 << 20));
    // A whole-second mtime, so that putting it back below restores it exactly (Date has no nanoseconds).
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000);
    fs.utimesSync(big, mtime, mtime);
    project.pipeline(`stages:\n  a:\n    cmd: ${project.stage('--write x=1')}\n    deps: [data/]\n`);
    await project.run(['run']);
    project.takeStarted();
    // Same size, same inode, mtime put back: only a run that re-reads the file could notice.
    const fd = fs.openSync(big, 'r+');
    fs.writeSync(fd, 'b', 0);
    fs.closeSync(fd);
    fs.utimesSync(big, mtime, mtime);
    const noop = await project.run(['run']);
    expect(noop.stderr).toContain('fresh      a');
    // Touching it (a new mtime) makes the run read it and notice the changed byte.
    fs.utimesSync(big, new Date(), new Date());
    const touched = await project.run(['run']);
    expect(touched.stderr).toContain('run        a: dep data/big.bin changed');
  });
});
