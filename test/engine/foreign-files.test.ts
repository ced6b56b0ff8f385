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
