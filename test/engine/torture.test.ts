// A bounded, seeded torture loop: kill -9 of the runner and of stages at random moments over small projects
// of shell stages; then a rerun must complete, the cache hold only whole entries, the lock name them, and
// every output be what the stages compute. TORTURE_SEED=N replays a run's projects and kill plan (delays and
// victims); where a kill lands in the runner's work still depends on the machine. TORTURE_TRIALS=N runs more.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mulberry32 } from '../../src/ml/random.js';
import { alive, Project, waitFor } from './rig.js';

const seed = Number(process.env.TORTURE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const trials = Number(process.env.TORTURE_TRIALS ?? 10);

interface Shape {
  yaml: string;
  /** Stage name → the bytes of its out/x. */
  expected: Map<string, string>;
}

/**
 * root → a fan-out of 2–5 members → a stage gathering them → a chain of 1–3 stages. Each stage notes its shell's
 * pid (so the test can kill it), sleeps 0–0.3 s, and writes its name and its inputs' bytes: every output follows
 * from the shape, so a wrong or mixed-up input shows.
 */
function makeShape(random: () => number): Shape {
  const items = Array.from({ length: 2 + Math.floor(random() * 4) }, (_, i) => `m${i}`);
  const chain = 1 + Math.floor(random() * 3);
  const nap = () => `sleep 0.${Math.floor(random() * 4)}${Math.floor(random() * 10)}`;
  const pid = 'echo $$ > "pids/$PIPELINE_STAGE"';
  const expected = new Map<string, string>();
  const lines = [`params:\n  items: [${items.join(', ')}]\nstages:`];
  lines.push(`  root:\n    cmd: ${JSON.stringify(`${pid}; ${nap()}; echo root > \${out}/x`)}`);
  expected.set('root', 'root\n');
  lines.push(
    `  fan:\n    foreach: \${params.items}\n    do:\n      needs: { root: root }\n      cmd: ${JSON.stringify(`${pid}; ${nap()}; echo \${item} > \${out}/x; cat \${in.root}/x >> \${out}/x`)}`,
  );
  for (const item of items) expected.set(`fan@${item}`, `${item}\nroot\n`);
  lines.push(`  gather:\n    needs: { all: fan }\n    cmd: ${JSON.stringify(`${pid}; ${nap()}; cat \${in.all}/*/x > \${out}/x`)}`);
  expected.set('gather', items.map((item) => expected.get(`fan@${item}`)).join(''));
  let previous = 'gather';
  for (let i = 1; i <= chain; i++) {
    lines.push(`  c${i}:\n    needs: { up: ${previous} }\n    cmd: ${JSON.stringify(`${pid}; ${nap()}; echo c${i} > \${out}/x; cat \${in.up}/x >> \${out}/x`)}`);
    expected.set(`c${i}`, `c${i}\n${expected.get(previous)}`);
    previous = `c${i}`;
  }
  return { yaml: `${lines.join('\n')}\n`, expected };
}

/** Processes whose environment carries `marker` (stages inherit the runner's environment). */
function processesWith(marker: string): number[] {
  const needle = Buffer.from(`${marker}\0`);
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return fs.readFileSync(`/proc/${entry}/environ`).includes(needle) && alive(Number(entry));
      } catch {
        return false;
      }
    })
    .map(Number);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const counts = { runnerKills: 0, runnerKillsLanded: 0, stageKills: 0, reruns: 0, rerunsOk: 0 };

afterAll(() => {
  console.log(
    `torture seed=${seed}: ${trials} projects, runner kill -9 ${counts.runnerKillsLanded} landed (${counts.runnerKills} tried), stage kill -9 ${counts.stageKills}, reruns complete and correct ${counts.rerunsOk}/${counts.reruns}`,
  );
});

describe(`torture (seed ${seed})`, () => {
  console.log(`torture: seed ${seed} (TORTURE_SEED=${seed} replays it)`);
  const random = mulberry32(seed); // seeded, so a failure is replayed by its seed
  for (let trial = 0; trial < trials; trial++) {
    const shape = makeShape(random);
    const rounds = 1 + Math.floor(random() * 3);
    const plan = Array.from({ length: rounds }, () => ({ killStage: random() < 0.4, delay: Math.floor(random() * 1500), pick: random() }));
    it(`project ${trial}: ${plan.map((step) => (step.killStage ? 'stage' : `runner@${step.delay}ms`)).join(', ')}, then a rerun`, async () => {
      const project = new Project();
      const marker = `LINPATH_TORTURE=${seed}-${trial}-${process.pid}`;
      const env = { LINPATH_TORTURE: marker.split('=')[1] };
      try {
        project.pipeline(shape.yaml);
        fs.mkdirSync(path.join(project.dir, 'pids'));
        for (const step of plan) {
          const runner = project.spawn(['run', '--jobs', '2'], env);
          if (step.killStage) {
            // kill -9 of a running stage's shell, chosen at random among those running.
            let victim: number | undefined;
            await waitFor(
              () => {
                // Only this project's stage processes (a pid noted earlier may have been handed to another process).
                const ours = new Set(processesWith(marker));
                const running = fs
                  .readdirSync(path.join(project.dir, 'pids'))
                  .map((name) => Number(fs.readFileSync(path.join(project.dir, 'pids', name), 'utf8')))
                  .filter((pid) => ours.has(pid));
                if (running.length > 0) victim = running[Math.floor(step.pick * running.length)];
                return victim !== undefined || runner.exitCode !== null;
              },
              30_000,
              'a stage to start',
            );
            if (victim !== undefined) {
              try {
                process.kill(victim, 'SIGKILL');
                counts.stageKills += 1;
              } catch {
                // It ended on its own in between.
              }
            }
            await runner.exited;
          } else {
            await sleep(step.delay);
            counts.runnerKills += 1;
            if (runner.exitCode === null) counts.runnerKillsLanded += 1;
            runner.kill('SIGKILL');
            await runner.exited;
          }
          for (const name of fs.readdirSync(path.join(project.dir, 'pids'))) fs.rmSync(path.join(project.dir, 'pids', name));
        }

        counts.reruns += 1;
        const rerun = await project.run(['run', '--jobs', '2'], env);
        expect(rerun.code, rerun.stderr).toBe(0);
        // A second rerun finds everything fresh: the lock names every entry, and the entries are whole.
        const again = await project.run(['run'], env);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stderr).toContain(`0 ran, ${shape.expected.size} fresh`);
        const fsck = await project.run(['fsck'], env);
        expect(fsck.code, fsck.stdout + fsck.stderr).toBe(0);

        const lock = parse(project.read('pipeline.lock')) as { stages: Record<string, { key: string }> };
        expect(Object.keys(lock.stages).sort()).toEqual([...shape.expected.keys()].sort());
        for (const [name, bytes] of shape.expected) {
          const dir = path.join(project.dir, 'cache/entries', lock.stages[name].key);
          expect(fs.readFileSync(path.join(dir, 'out/x'), 'utf8'), name).toBe(bytes);
        }
        // No partial entry: every directory under entries/ is a whole entry (manifest, run record, out/).
        for (const key of project.entries()) {
          for (const part of ['manifest.json', 'run.json', 'out']) expect(fs.existsSync(path.join(project.dir, 'cache/entries', key, part)), `${key}/${part}`).toBe(true);
        }
        // Nothing a killed run started is still running, and no staging dir is left behind.
        await waitFor(() => processesWith(marker).length === 0, 5000, 'the stage processes of killed runs to be gone');
        const tmp = path.join(project.dir, 'cache/tmp');
        expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
        counts.rerunsOk += 1;
      } finally {
        for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
        project.cleanup();
      }
    }, 120_000);
  }
});
