import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alive, Project, waitFor } from './rig.js';

let project: Project;
beforeEach(() => (project = new Project()));
afterEach(() => project.cleanup());

/** `measure` reads a value the pipeline does not track, so a test can perturb what a rerun computes. */
function pipeline(p: Project): string {
  return `stages:
  data:
    cmd: ${p.stage('--write data.txt=abc')}
    deterministic: true
  measure:
    cmd: 'echo "{\\"loss\\": $(cat hidden/loss.txt), \\"n\\": 3}" > \${out}/metrics.json && cat \${in.data}/data.txt > \${out}/copy.txt'
    needs: [data]
    metrics: [metrics.json]
    verify: { rtol: 0.01 }
    publish: reports/
`;
}

function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else files[path.relative(dir, full)] = fs.lstatSync(full).isSymbolicLink() ? `-> ${fs.readlinkSync(full)}` : fs.readFileSync(full, 'latin1');
    }
  };
  visit(dir);
  return files;
}

describe('pipeline verify', () => {
  it('passes when a rerun reproduces the lock, without touching cache/, the lock or reports/', async () => {
    project.write('hidden/loss.txt', '0.5');
    project.pipeline(pipeline(project));
    expect((await project.run(['run'])).code).toBe(0);
    const before = { cache: snapshot(path.join(project.dir, 'cache/entries')), lock: project.read('pipeline.lock'), report: project.read('reports/metrics.json') };
    project.takeStarted();
    project.write('hidden/loss.txt', '0.502'); // within rtol 0.01
    const result = await project.run(['verify']);
    expect(result.stdout).toContain('verify: 2 stage(s) rerun, all within tolerance of pipeline.lock');
    expect(result.code).toBe(0);
    expect(project.takeStarted()).toEqual(['data']);
    expect(snapshot(path.join(project.dir, 'cache/entries'))).toEqual(before.cache);
    expect(project.read('pipeline.lock')).toBe(before.lock);
    expect(project.read('reports/metrics.json')).toBe(before.report);
  });

  it('fails with a table of every metric out of tolerance', async () => {
    project.write('hidden/loss.txt', '0.5');
    project.pipeline(pipeline(project));
    await project.run(['run']);
    project.write('hidden/loss.txt', '0.6');
    const result = await project.run(['verify', 'measure']);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('verify: 1 difference(s) from pipeline.lock');
    expect(lines[1]).toMatch(/^stage\s+metric\s+locked\s+new\s+difference$/);
    expect(lines[2]).toMatch(/^measure\s+loss\s+0\.5\s+0\.6\s+1\.000e-1 \(2\.00e-1 relative\); allowed 1e-8 \+ 0\.01·\|locked\|$/);
    // A looser tolerance on the command line wins over pipeline.yaml's.
    const loose = await project.run(['verify', 'measure', '--rtol', '0.5']);
    expect(loose.code).toBe(0);
  });

  it('checks output bytes of deterministic stages', async () => {
    project.write('hidden/loss.txt', '0.5');
    project.pipeline(pipeline(project).replace('--write data.txt=abc', '--write data.txt=$(date +%N)'));
    await project.run(['run']);
    const result = await project.run(['verify', 'data']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/data\s+output hash\s+[0-9a-f]{12}\s+[0-9a-f]{12}\s+bytes differ/);
  });

  it('refuses stages the lock does not know', async () => {
    project.write('hidden/loss.txt', '0.5');
    project.pipeline(pipeline(project));
    const result = await project.run(['verify']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pipeline.lock has no record of data, measure: run `pipeline run` and commit the lock before verifying');
  });

  it("--backend reruns on another backend with the lock's keys, so upstream results are reused and tolerances decide", async () => {
    // The stage computes a slightly different loss on a backend other than the default, as real backends do.
    project.pipeline(`stages:
  data:
    cmd: ${project.stage('--write data.txt=abc')}
  measure:
    cmd: 'b=$PIPELINE_BACKEND; [ -n "$b" ] || b=wasm; echo "{\\"backend\\": \\"$b\\"}" > $PIPELINE_INFO; if [ $b = wasm ]; then l=0.5; else l=0.5004; fi; echo "{\\"loss\\": $l}" > \${out}/metrics.json'
    needs: [data]
    metrics: [metrics.json]
    verify: { rtol: 0.001 }
`);
    expect((await project.run(['run'])).code).toBe(0);
    const lock = project.read('pipeline.lock');
    project.takeStarted();
    const across = await project.run(['verify', 'measure', '--backend', 'webgpu']);
    expect(across.stdout).toContain('verify: 1 stage(s) rerun (on webgpu; locked on wasm), all within tolerance of pipeline.lock');
    expect(across.code).toBe(0);
    expect(project.takeStarted()).toEqual([]); // data came from the cache: its key did not change
    const strict = await project.run(['verify', 'measure', '--backend', 'webgpu', '--rtol', '0.0001']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('verify: 1 difference(s) from pipeline.lock (on webgpu; locked on wasm)');
    expect(strict.stdout).toMatch(/measure\s+loss\s+0\.5\s+0\.5004\s/);
    const same = await project.run(['verify', 'measure']);
    expect(same.stdout).toContain('verify: 1 stage(s) rerun (on wasm), all within tolerance');
    expect(project.read('pipeline.lock')).toBe(lock);
  });

  it("SIGTERM stops the rerun: the stage's process is killed, the scratch store removed, exit 130", async () => {
    // The delay is read at run time, so the rerun is slow while the key stays the lock's.
    project.pipeline(`stages:
  slow:
    cmd: 'echo $$ > shell.pid; sleep $(cat delay); echo "{\\"v\\": 1}" > \${out}/m.json'
    metrics: [m.json]
`);
    project.write('delay', '0');
    expect((await project.run(['run'])).code).toBe(0);
    project.write('delay', '30');
    fs.rmSync(path.join(project.dir, 'shell.pid'));
    const tmp = fs.mkdtempSync(path.join(project.parent, 'tmp-'));
    const verifier = project.spawn(['verify'], { TMPDIR: tmp });
    await waitFor(() => fs.existsSync(path.join(project.dir, 'shell.pid')), 20_000, 'the rerun to start');
    const shell = Number(project.read('shell.pid'));
    verifier.kill('SIGTERM');
    expect(await verifier.exited).toBe(130);
    expect(alive(shell)).toBe(false);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
