// The runner touches nothing it did not make: foreign files in a shared cache dir, hard-linked outputs, symlink escapes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from './rig.js';

let project: Project;
let outside: string;
beforeEach(() => {
  project = new Project();
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-outside-'));
});
afterEach(() => {
  project.cleanup();
  fs.rmSync(outside, { recursive: true, force: true });
});

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

describe('PIPELINE_CACHE_DIR/tmp is shared: only what a runner made is cleaned up', () => {
  it('run and gc keep foreign files and dirs, and still reap a dead run', async () => {
    const cache = path.join(outside, 'cache');
    const tmp = path.join(cache, 'tmp');
    const foreign = {
      notes: path.join(tmp, 'notes/todo.txt'),
      lookalike: path.join(tmp, '20260101000000-1-abcdef/data.txt'), // a run-id name, but no owner.json of ours
      ownerless: path.join(tmp, 'someone-else/owner.json'), // an owner.json, but not a run-id name
      file: path.join(tmp, 'loose.txt'),
    };
    for (const file of Object.values(foreign)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ pid: deadPid(), host: os.hostname(), started: 'x' }));
    }
    const deadRun = path.join(tmp, `20260101000000-${deadPid()}-0a0b0c`);
    fs.mkdirSync(path.join(deadRun, 'stage/out'), { recursive: true });
    fs.writeFileSync(path.join(deadRun, 'owner.json'), JSON.stringify({ made_by: 'linpath-run', pid: deadPid(), host: os.hostname(), started: 'x' }));
    const discarded = path.join(tmp, `discarded-${'a'.repeat(64)}-0123abcd`);
    fs.mkdirSync(discarded);

    project.pipeline(`stages:\n  a:\n    cmd: echo hi > \${out}/a.txt\n`);
    const run = await project.run(['run'], { PIPELINE_CACHE_DIR: cache });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('cleaned up after 1 interrupted run(s)');
    expect(fs.existsSync(deadRun)).toBe(false);
    expect(fs.existsSync(discarded)).toBe(false);
    for (const file of Object.values(foreign)) expect(fs.existsSync(file), file).toBe(true);

    const again = path.join(tmp, `20260101000001-${deadPid()}-0d0e0f`);
    fs.mkdirSync(again); // a runner killed between mkdir and writing owner.json
    const gc = await project.run(['gc'], { PIPELINE_CACHE_DIR: cache });
    expect(gc.code).toBe(0);
    expect(fs.existsSync(again)).toBe(false);
    expect(fs.readdirSync(tmp).sort()).toEqual(['20260101000000-1-abcdef', 'loose.txt', 'notes', 'someone-else']);
  });
});

describe('hard-linked outputs', () => {
  it('a file hard-linked into ${out} is copied into the entry; the original keeps its mode and bytes', async () => {
    const victim = path.join(outside, 'victim.txt');
    fs.writeFileSync(victim, 'mine');
    fs.chmodSync(victim, 0o640);
    project.pipeline(`stages:\n  a:\n    cmd: ln ${victim} \${out}/v && echo done > \${out}/own.txt\n`);
    const result = await project.run(['run']);
    expect(result.code).toBe(0);
    expect(fs.statSync(victim).mode & 0o777).toBe(0o640);
    expect(fs.statSync(victim).nlink).toBe(1);
    const [key] = project.entries();
    const copy = path.join(project.dir, 'cache/entries', key, 'out/v');
    expect(fs.readFileSync(copy, 'utf8')).toBe('mine');
    expect(fs.statSync(copy).mode & 0o777).toBe(0o444);
    expect(fs.statSync(copy).ino).not.toBe(fs.statSync(victim).ino);

    // The entry no longer shares bytes with the original: editing it leaves the entry intact and fresh.
    fs.writeFileSync(victim, 'changed');
    const again = await project.run(['run']);
    expect(again.stderr).toContain('fresh      a');
    expect(fs.readFileSync(copy, 'utf8')).toBe('mine');
  });
});

describe('symlinks cannot lead a path written in pipeline.yaml outside the project', () => {
  it('publishing through an in-project symlink to a directory elsewhere is refused before anything runs', async () => {
    fs.symlinkSync(outside, path.join(project.dir, 'reports'));
    project.pipeline(`stages:\n  a:\n    cmd: echo hi > \${out}/a.txt\n    publish:\n      a.txt: reports/a.txt\n`);
    const result = await project.run(['run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `pipeline.yaml:5:14: stages.a.publish.a.txt: publish destination "reports/a.txt" leads outside the project through a symlink: it resolves to ${fs.realpathSync(outside)}/a.txt`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(project.entries()).toEqual([]);
    expect(fs.readdirSync(outside)).toEqual([]);

    // A symlink that stays inside the project is fine.
    fs.rmSync(path.join(project.dir, 'reports'));
    fs.mkdirSync(path.join(project.dir, 'figures'));
    fs.symlinkSync('figures', path.join(project.dir, 'reports'));
    const inside = await project.run(['run']);
    expect(inside.code).toBe(0);
    expect(project.read('figures/a.txt')).toBe('hi\n');
  });

  it.each([
    ['a symlinked file', 'secret', 'deps: [secret]'],
    ['a symlink inside a dep directory', 'data/secret', 'deps: [data]'],
    ['a glob through a symlinked directory', 'data/elsewhere', 'deps: ["data/*/*.txt"]'],
  ])('a dep through %s to a file elsewhere is refused', async (_, link, deps) => {
    fs.writeFileSync(path.join(outside, 'passwd.txt'), 'root:x:0:0');
    fs.mkdirSync(path.join(project.dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(project.dir, 'data/ok.txt'), 'fine');
    fs.symlinkSync(link.endsWith('elsewhere') ? outside : path.join(outside, 'passwd.txt'), path.join(project.dir, link));
    project.pipeline(`stages:\n  a:\n    cmd: echo hi > \${out}/a.txt\n    ${deps}\n`);
    const result = await project.run(['run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pipeline\.yaml:4:\d+: stages\.a\.deps\[0\]: dep ".*" leads outside the project.*: it resolves to .*(passwd\.txt|elsewhere); deps must live inside /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(project.entries()).toEqual([]);
  });

  it('deps through symlinks that stay inside the project are hashed, a symlinked directory included', async () => {
    fs.mkdirSync(path.join(project.dir, 'real/sub'), { recursive: true });
    fs.writeFileSync(path.join(project.dir, 'real/sub/x.txt'), 'x');
    fs.mkdirSync(path.join(project.dir, 'data'));
    fs.symlinkSync('../real/sub', path.join(project.dir, 'data/sub'));
    fs.symlinkSync('../real', path.join(project.dir, 'data/loop')); // leads back up: walked once
    project.pipeline(`stages:\n  a:\n    cmd: echo hi > \${out}/a.txt\n    deps: [data]\n`);
    const result = await project.run(['run']);
    expect(result.code).toBe(0);
    const deps = Object.keys((await import('yaml')).parse(project.read('pipeline.lock')).stages.a.inputs.deps);
    expect(deps).toContain('data/sub/x.txt');
  });
});
