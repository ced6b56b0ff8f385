import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alive, Project, waitFor } from './rig.js';

let project: Project;
beforeEach(() => (project = new Project()));
afterEach(() => project.cleanup());

/** Every visible entry is complete: a manifest and a run record beside its output. */
function expectOnlyCompleteEntries(): void {
  for (const key of project.entries()) {
    const dir = path.join(project.dir, 'cache/entries', key);
    expect(fs.existsSync(path.join(dir, 'manifest.json')), `${key} has a manifest`).toBe(true);
    expect(fs.existsSync(path.join(dir, 'run.json')), `${key} has a run record`).toBe(true);
  }
}

const slowPipeline = (p: Project) => `stages:
  quick:
    cmd: ${p.stage('--write q=1')}
  slow:
    cmd: ${p.stage('--sleep 30000 --write s=1')}
    needs: [quick]
  after:
    cmd: ${p.stage('--write a=1')}
    needs: [slow]
`;

describe('a damaged cache entry is detected and rebuilt', () => {
  it('changed bytes in an entry are not trusted', async () => {
    project.pipeline(`stages:\n  a:\n    cmd: ${project.stage('--write data.txt=good')}\n  b:\n    cmd: cat \${in.a}/data.txt > \${out}/copy.txt\n    needs: [a]\n`);
    await project.run(['run']);
    project.takeStarted();
    const key = parse(project.read('pipeline.lock')).stages.a.key;
    const file = path.join(project.dir, 'cache/entries', key, 'out/data.txt');
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, 'evil');
    const result = await project.run(['run']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('corrupt    a: cache entry damaged (data.txt changed content); rebuilding');
    expect(project.takeStarted()).toEqual(['a']);
    expect(fs.readFileSync(file, 'utf8')).toBe('good');
    expect(result.stderr).toContain('fresh      b');
  });

  it.each([
    ['out/ is missing', (dir: string) => fs.rmSync(path.join(dir, 'out'), { recursive: true, force: true })],
    ['manifest.json has no files list', (dir: string) => fs.writeFileSync(path.join(dir, 'manifest.json'), '{"files": 3}')],
    ['manifest.json is unreadable', (dir: string) => fs.writeFileSync(path.join(dir, 'manifest.json'), '{"fi')],
    [
      'manifest.json lists a malformed file',
      (dir: string) => fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')), files: [{ path: 1 }] })),
    ],
    ['run.json is missing', (dir: string) => fs.rmSync(path.join(dir, 'run.json'))],
    ['run.json is not an object', (dir: string) => fs.writeFileSync(path.join(dir, 'run.json'), '[]')],
  ])('an entry whose %s is set aside and rebuilt, once', async (why, damage) => {
    project.pipeline(`stages:\n  a:\n    cmd: ${project.stage('--write data.txt=good')}\n`);
    await project.run(['run']);
    project.takeStarted();
    const key = parse(project.read('pipeline.lock')).stages.a.key;
    const dir = path.join(project.dir, 'cache/entries', key);
    fs.chmodSync(dir, 0o755);
    damage(dir);
    const result = await project.run(['run']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`corrupt    a: cache entry damaged (${why}`);
    expect(project.takeStarted()).toEqual(['a']);
    expect(fs.readFileSync(path.join(dir, 'out/data.txt'), 'utf8')).toBe('good');
    const again = await project.run(['run']);
    expect(again.stderr).toContain('fresh      a');
  });

  it('an extra file dropped into an entry is noticed', async () => {
    project.pipeline(`stages:\n  a:\n    cmd: ${project.stage('--write data.txt=good')}\n`);
    await project.run(['run']);
    project.takeStarted();
    const key = parse(project.read('pipeline.lock')).stages.a.key;
    fs.writeFileSync(path.join(project.dir, 'cache/entries', key, 'out/extra.txt'), 'x');
    const result = await project.run(['run']);
    expect(result.stderr).toContain('unexpected file extra.txt');
    expect(project.takeStarted()).toEqual(['a']);
  });
});

/** Flips one byte of a file in place and restores its mtime to the nanosecond: bit rot the memo cannot see. */
function rot(file: string): void {
  const reference = `${file}.times`;
  execFileSync('cp', ['-p', file, reference]);
  fs.chmodSync(file, 0o644);
  const handle = fs.openSync(file, 'r+');
  const byte = Buffer.alloc(1);
  fs.readSync(handle, byte, 0, 1, 0);
  fs.writeSync(handle, Buffer.from([byte[0] ^ 1]), 0, 1, 0);
  fs.closeSync(handle);
  fs.chmodSync(file, 0o444);
  execFileSync('touch', ['-r', reference, file]);
  fs.rmSync(reference);
}

describe('bit rot (a flipped byte, size and mtime unchanged)', () => {
  const yaml = (p: Project) => `stages:\n  a:\n    cmd: ${p.stage("--write 'fig.svg=<svg/>'")}\n    publish:\n      fig.svg: reports/fig.svg\n`;

  it('is caught as the bytes are published: nothing damaged reaches reports/, the entry is rebuilt', async () => {
    project.pipeline(yaml(project));
    expect((await project.run(['run'])).code).toBe(0);
    project.takeStarted();
    const key = parse(project.read('pipeline.lock')).stages.a.key;
    const file = path.join(project.dir, 'cache/entries', key, 'out/fig.svg');
    const before = fs.statSync(file, { bigint: true });
    rot(file);
    const after = fs.statSync(file, { bigint: true });
    expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
    expect(fs.readFileSync(file, 'utf8')).toBe('=svg/>');
    fs.rmSync(path.join(project.dir, 'reports/fig.svg')); // so the run publishes again
    const result = await project.run(['run']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('corrupt    a: cache entry damaged (fig.svg changed content, found while publishing); rebuilding');
    expect(project.takeStarted()).toEqual(['a']);
    expect(project.read('reports/fig.svg')).toBe('<svg/>');
  });

  it('pipeline fsck re-reads every entry, exits 1 naming the damaged one; --repair drops it and the next run rebuilds it', async () => {
    project.pipeline(`stages:\n  a:\n    cmd: ${project.stage('--write data.txt=good')}\n  b:\n    cmd: ${project.stage('--write other.txt=fine')}\n`);
    expect((await project.run(['run'])).code).toBe(0);
    project.takeStarted();
    const key = parse(project.read('pipeline.lock')).stages.a.key;
    const clean = await project.run(['fsck']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/checked 2 cache entries byte for byte \(\d+ B read\): all intact\n/);
    rot(path.join(project.dir, 'cache/entries', key, 'out/data.txt'));
    const found = await project.run(['fsck']);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain(`damaged    a (${key.slice(0, 12)}): data.txt changed content\n`);
    expect(found.stdout).toContain('1 damaged; `pipeline fsck --repair` drops them');
    expect((await project.run(['fsck', 'b'])).code).toBe(0);
    const repaired = await project.run(['fsck', '--repair', 'a']);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain(`dropped    a (${key.slice(0, 12)})`);
    expect(project.entries()).toHaveLength(1);
    const rerun = await project.run(['run']);
    expect(rerun.code).toBe(0);
    expect(project.takeStarted()).toEqual(['a']);
    expect((await project.run(['fsck'])).stdout).toContain('all intact');
  });
});

describe('an input entry is re-read before a stage reads it', () => {
  it('a rotten input fails the stage that would read it, is dropped, and the next run rebuilds it', async () => {
    const yaml = (suffix: string) => `stages:\n  a:\n    cmd: ${project.stage('--write data.txt=good')}\n  b:\n    cmd: cat \${in.a}/data.txt > \${out}/copy.txt${suffix}\n    needs: [a]\n`;
    project.pipeline(yaml(''));
    expect((await project.run(['run'])).code).toBe(0);
    project.takeStarted();
    const key = parse(project.read('pipeline.lock')).stages.a.key;
    rot(path.join(project.dir, 'cache/entries', key, 'out/data.txt'));
    project.pipeline(yaml(' && true'));
    const result = await project.run(['run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('fresh      a');
    expect(result.stderr).toContain('FAILED     b: input a: the cache entry of a is damaged (data.txt changed content); it was dropped, run again to rebuild it');
    expect(project.entries()).not.toContain(key);
    const again = await project.run(['run']);
    expect(again.code).toBe(0);
    expect(project.takeStarted()).toEqual(['a']);
    const copy = parse(project.read('pipeline.lock')).stages.b.key;
    expect(fs.readFileSync(path.join(project.dir, 'cache/entries', copy, 'out/copy.txt'), 'utf8')).toBe('good');
  });
});

describe('an unreadable pipeline.lock', () => {
  it('stops status with its message; run rewrites it from the cache, rerunning nothing', async () => {
    project.pipeline(`stages:\n  a:\n    cmd: ${project.stage('--write data.txt=good')}\n  b:\n    cmd: ${project.stage()}\n    needs: [a]\n`);
    expect((await project.run(['run'])).code).toBe(0);
    project.takeStarted();
    const good = parse(project.read('pipeline.lock'));
    project.write('pipeline.lock', '<<<<<<< HEAD\nversion: 1\n=======\nstages: [\n>>>>>>> theirs\n');
    const status = await project.run(['status']);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/pipeline\.lock: unreadable lock file \(.*\); fix or delete it \(it is rewritten by the next run\)\n$/);
    expect(status.stderr).not.toMatch(/\n\s+at /);
    const run = await project.run(['run']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('pipeline.lock: unreadable lock file');
    expect(run.stderr).toContain('this run rewrites it from what it finds in cache/');
    expect(project.takeStarted()).toEqual([]);
    expect(parse(project.read('pipeline.lock')).stages.a.key).toBe(good.stages.a.key);
    expect(parse(project.read('pipeline.lock')).stages.b.key).toBe(good.stages.b.key);
    expect((await project.run(['status'])).stdout).toContain('everything is fresh');
  });
});

/** Root with mount(8): a tiny tmpfs can stand for a full disk. */
const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;

/** Fills the filesystem of `dir`, then frees `free` bytes. */
function fillLeaving(dir: string, free: number): void {
  const filler = path.join(dir, 'filler');
  const chunk = Buffer.alloc(4096, 1);
  const handle = fs.openSync(filler, 'a');
  try {
    for (;;) fs.writeSync(handle, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(handle);
  }
  fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - free));
}

describe('a full disk', () => {
  it.runIf(canMount)('at any point of a run: one line naming the error, no stack trace; after space is freed the run completes', async () => {
    const disk = path.join(project.dir, 'disk');
    fs.mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
    try {
      const env = { PIPELINE_CACHE_DIR: path.join(disk, 'cache') };
      const stages = ['a', 'b', 'c', 'd', 'e', 'f'].map((name, index) => `  ${name}:\n    cmd: head -c ${20_000 + index} /dev/zero > \${out}/data && echo ${name} > \${out}/name\n`).join('');
      project.pipeline(`stages:\n${stages}`);
      const failures: string[] = [];
      for (const free of [0, 4096, 16_384, 40_960, 65_536]) {
        fillLeaving(disk, free);
        const result = await project.run(['run', '-j', '1'], env);
        expect(result.stderr, `with ${free} bytes free`).not.toMatch(/\n\s+at /);
        expect([0, 1], `with ${free} bytes free: ${result.stderr}`).toContain(result.code);
        if (result.code === 1) {
          // Either a stage's own write failed (its exit code), or one of the runner's (said as the system says it).
          expect(result.stderr).toMatch(/FAILED .*: exit code|ENOSPC: no space left on device/);
          failures.push(result.stderr);
        }
        fs.rmSync(path.join(disk, 'filler'));
        const rerun = await project.run(['run'], env);
        expect(rerun.code, rerun.stderr).toBe(0);
        expect((await project.run(['status'], env)).stdout).toContain('everything is fresh');
        fs.rmSync(path.join(disk, 'cache'), { recursive: true, force: true });
        fs.rmSync(path.join(project.dir, 'pipeline.lock'), { force: true });
      }
      expect(failures.length).toBeGreaterThan(0);
    } finally {
      execFileSync('umount', [disk]);
    }
  });
});

describe('odd shapes that used to end in a stack trace', () => {
  it.each(['tmp', 'state', 'entries'])('cache/%s being a file: exit 2 naming it, and the file is left alone', async (name) => {
    project.pipeline(`stages:\n  a:\n    cmd: echo hi > \${out}/a\n`);
    project.write(`cache/${name}`, 'not ours');
    const result = await project.run(['run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`pipeline: ${path.join(project.dir, 'cache', name)} should be the cache's ${name}/ directory but is not a directory; move it away and run again\n`);
    expect(project.read(`cache/${name}`)).toBe('not ours');
  });

  it('a command over 128 KiB runs (from a file the shell sources), and a command that cannot start says why', async () => {
    const words = Array.from({ length: 20_000 }, (_, index) => `w${index}`).join(' ');
    project.pipeline(`stages:\n  long:\n    cmd: "printf '%s ' ${words} | wc -w > \${out}/count"\n  big-env:\n    cmd: echo hi > \${out}/a\n    env:\n      BIG: ${'x'.repeat(140_000)}\n`);
    const result = await project.run(['run', '--keep-going']);
    expect(result.stderr).not.toMatch(/\n\s+at |Unhandled|undefined/);
    expect(result.stderr).toContain('done       long');
    expect(result.stderr).toContain('FAILED     big-env: could not start the command (E2BIG)');
    expect(result.code).toBe(1);
    const key = parse(project.read('pipeline.lock')).stages.long.key;
    expect(fs.readFileSync(path.join(project.dir, 'cache/entries', key, 'out/count'), 'utf8').trim()).toBe('20000');
    expect(fs.readdirSync(path.join(project.dir, 'cache/entries', key))).toEqual(['log.txt', 'manifest.json', 'out', 'run.json']);
  });
});

describe('failures', () => {
  it('a failing stage: exit 1, the last lines of its log, the log kept, downstream skipped, no entry', async () => {
    project.pipeline(`stages:\n  bad:\n    cmd: ${project.stage('--fail 3')}\n  after:\n    cmd: ${project.stage()}\n    needs: [bad]\n`);
    const result = await project.run(['run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('FAILED     bad: exit code 3');
    expect(result.stderr).toContain('  | stdout of bad');
    expect(result.stderr).toContain('  | stderr of bad');
    expect(result.stderr).toContain('skipped    after: upstream bad did not complete');
    expect(project.read('cache/logs/bad.log')).toContain('stderr of bad');
    expect(project.entries()).toEqual([]);
    expect(fs.readdirSync(path.join(project.dir, 'cache/tmp'))).toEqual([]);
  });

  it('without --keep-going nothing new starts after a failure; with it, independent branches finish', async () => {
    const yaml = `stages:\n  bad:\n    cmd: ${project.stage('--fail 1')}\n  slow:\n    cmd: ${project.stage('--sleep 500')}\n  other:\n    cmd: ${project.stage()}\n    needs: [slow]\n`;
    project.pipeline(yaml);
    const stop = await project.run(['run', '--jobs', '2']);
    expect(stop.code).toBe(1);
    expect(project.takeStarted().sort()).toEqual(['bad', 'slow']);
    expect(stop.stderr).toContain('skipped    other: the run stopped after a failure');
    const going = await project.run(['run', '--jobs', '2', '--keep-going']);
    expect(going.code).toBe(1);
    expect(project.takeStarted().sort()).toEqual(['bad', 'other']);
  });

  it('a declared metrics file the stage did not write fails the stage', async () => {
    project.pipeline(`stages:\n  a:\n    cmd: ${project.stage()}\n    metrics: [metrics.json]\n`);
    const result = await project.run(['run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('FAILED     a: declared metrics file metrics.json was not written');
  });
});

describe('interruptions', () => {
  it('SIGTERM kills the stage process group, removes temp dirs, keeps the lock valid; the rerun resumes', async () => {
    project.pipeline(slowPipeline(project));
    const runner = project.spawn(['run']);
    await waitFor(() => project.recorded().some((entry) => entry.name === 'slow'), 20_000, 'the slow stage to start');
    const stagePid = project.recorded().find((entry) => entry.name === 'slow')!.pid;
    runner.kill('SIGTERM');
    const code = await runner.exited;
    expect(code).toBe(130);
    expect(alive(stagePid)).toBe(false);
    expect(fs.readdirSync(path.join(project.dir, 'cache/tmp'))).toEqual([]);
    expectOnlyCompleteEntries();
    expect(Object.keys(parse(project.read('pipeline.lock')).stages)).toEqual(['quick']);
    expect(fs.existsSync(path.join(project.dir, 'cache/run.lock'))).toBe(false);

    project.takeStarted();
    project.pipeline(slowPipeline(project).replace('--sleep 30000', '--sleep 10'));
    const rerun = await project.run(['run']);
    expect(rerun.code).toBe(0);
    expect(project.takeStarted()).toEqual(['slow', 'after']);
  });

  it('kill -9 of the runner mid-stage: the next run reaps the orphan, completes, and no partial entry exists', async () => {
    project.pipeline(slowPipeline(project));
    const runner = project.spawn(['run']);
    await waitFor(() => project.recorded().some((entry) => entry.name === 'slow'), 20_000, 'the slow stage to start');
    const orphan = project.recorded().find((entry) => entry.name === 'slow')!.pid;
    runner.kill('SIGKILL');
    await runner.exited;
    expect(alive(orphan)).toBe(true); // still running, writing into a staging dir nobody will commit
    expectOnlyCompleteEntries();
    expect(project.entries()).toHaveLength(1);

    project.takeStarted();
    project.pipeline(slowPipeline(project).replace('--sleep 30000', '--sleep 10'));
    const rerun = await project.run(['run']);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain('cleaned up after 1 interrupted run(s)');
    await waitFor(() => !alive(orphan), 5000, 'the orphan to die');
    expect(project.takeStarted()).toEqual(['slow', 'after']);
    expectOnlyCompleteEntries();
    expect(project.entries()).toHaveLength(3);
    expect(fs.readdirSync(path.join(project.dir, 'cache/tmp'))).toEqual([]);
  });

  it('two runs at once: the second refuses with a clear message and exit 3, or waits with --wait', async () => {
    project.pipeline(`stages:\n  slow:\n    cmd: ${project.stage('--sleep 1500 --write x=1')}\n`);
    const first = project.spawn(['run']);
    await waitFor(() => project.recorded().length > 0, 20_000, 'the first run to start its stage');
    const second = await project.run(['run']);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/another pipeline command \(pid \d+ on .*`pipeline run`.*\) holds .*run\.lock; wait for it to finish, or pass --wait SECONDS/);
    const waiting = await project.run(['run', '--wait', '30']);
    expect(waiting.code).toBe(0);
    expect(waiting.stderr).toContain('fresh      slow');
    expect(await first.exited).toBe(0);
    expect(project.takeStarted()).toEqual(['slow']);
    expectOnlyCompleteEntries();
  });
});
