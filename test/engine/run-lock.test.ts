// Many runners starting at once against a dead runner's cache/run.lock: exactly one takes it over.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project, waitFor } from './rig.js';

let project: Project;
beforeEach(() => (project = new Project()));
afterEach(() => project.cleanup());

/** cache/run.lock as a runner killed with -9 leaves it (the format before lock files carried a nonce). */
function deadOwnersLock(): void {
  const pid = spawnSync('true').pid!;
  fs.mkdirSync(path.join(project.dir, 'cache'), { recursive: true });
  fs.writeFileSync(path.join(project.dir, 'cache/run.lock'), JSON.stringify({ pid, host: os.hostname(), started: new Date().toISOString(), command: 'pipeline run' }));
}

function ranLines(): string[] {
  const file = path.join(project.dir, 'ran.txt');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe("taking over a dead runner's lock", () => {
  it('50 runners started at once: exactly one runs, the other 49 exit 3', async () => {
    deadOwnersLock();
    // The winner's stage holds the lock until every loser has given up.
    project.pipeline(`stages:\n  a:\n    cmd: echo $$ >> ran.txt; i=0; while [ ! -f release ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; echo x > \${out}/x\n`);
    const runners = Array.from({ length: 50 }, () => project.spawn(['run']));
    const codes: (number | null)[] = [];
    for (const runner of runners) void runner.exited.then((code) => codes.push(code));
    await waitFor(() => codes.length >= 49, 90_000, '49 runners to exit');
    expect(codes.filter((code) => code === 3)).toHaveLength(49);
    fs.writeFileSync(path.join(project.dir, 'release'), '');
    await waitFor(() => codes.length === 50, 30_000, 'the winner to finish');
    expect(codes.filter((code) => code === 0)).toHaveLength(1);
    expect(ranLines()).toHaveLength(1);
    const loser = runners.find((runner) => runner.exitCode === 3)!;
    expect(loser.output()).toMatch(/another pipeline command \(pid \d+ on .*\) holds .*run\.lock/);
    // Nothing is left behind: no lock, no take-over tokens, no half-made lock files.
    expect(fs.readdirSync(path.join(project.dir, 'cache')).filter((name) => name.startsWith('run.lock'))).toEqual([]);
  }, 150_000);

  it('with --wait, runners started at once against a dead lock run one after another: the stage runs once', async () => {
    deadOwnersLock();
    project.pipeline(`stages:\n  a:\n    cmd: echo $$ >> ran.txt; sleep 0.3; echo x > \${out}/x\n`);
    const runners = Array.from({ length: 8 }, () => project.spawn(['run', '--wait', '60']));
    const codes = await Promise.all(runners.map((runner) => runner.exited));
    expect(codes).toEqual(Array(8).fill(0));
    expect(ranLines()).toHaveLength(1);
    expect(runners.filter((runner) => runner.output().includes('fresh      a'))).toHaveLength(7);
  }, 120_000);
});
