// pipeline.lock and what is published are functions of inputs and results: two clean runs in two dirs, and a rerun, write the same bytes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { Project } from './rig.js';

// Each run sleeps a different time and leases a different "GPU" (its pid): what only the run records may show.
const pipeline = `stages:
  data:
    cmd: >-
      sleep 0.$(( $$ % 3 + 1 )) && printf 'x\\n' > \${out}/data.txt && printf '{"n": 3}' > \${out}/metrics.json && printf '{"backend":"fake","device":"cpu","gpu_index":"%s","gpu_uuid":"GPU-%s"}' $$ $$ > "$PIPELINE_INFO"
    metrics: [metrics.json]
    deps: [notes.txt]
  report:
    cmd: node stages/report.mjs \${out}
    deps: [stages/report.mjs]
    needs: [data]
    provenance: true
    publish:
      provenance.json: reports/provenance.json
`;

// A report stage that leaves what PIPELINE_UPSTREAM handed it beside pipeline.yaml (outside its output: it holds
// cache paths), and publishes provenance as docs/stage-interface.md advises: output hashes and info, not keys.
const reportStage = `import fs from 'node:fs';
const upstream = JSON.parse(fs.readFileSync(process.env.PIPELINE_UPSTREAM, 'utf8'));
fs.writeFileSync('handed-upstream.json', JSON.stringify(upstream, null, 1));
const shown = Object.fromEntries(Object.entries(upstream).map(([stage, entry]) => [stage, { output_hash: entry.output_hash, info: entry.info }]));
fs.writeFileSync(process.argv[2] + '/provenance.json', JSON.stringify(shown, null, 1));
`;

const projects: Project[] = [];
afterEach(() => {
  for (const project of projects.splice(0)) project.cleanup();
});

function clone(): Project {
  const project = new Project();
  projects.push(project);
  project.pipeline(pipeline);
  project.write('stages/report.mjs', reportStage);
  project.write('notes.txt', 'v1\n');
  return project;
}

/** Every file under reports/, by relative path. */
function published(project: Project): Record<string, string> {
  const dir = path.join(project.dir, 'reports');
  return Object.fromEntries(
    fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .sort()
      .map((name) => [name, project.read(path.join('reports', name))]),
  );
}

async function run(project: Project, args: string[] = ['run']): Promise<void> {
  const result = await project.run(args);
  expect(result.code, result.stderr).toBe(0);
}

describe('a lock that is a function of the results', () => {
  it('two clean runs in two dirs write byte-identical pipeline.lock and reports/, and a rerun changes neither', async () => {
    const [first, second] = [clone(), clone()];
    await run(first);
    await run(second);
    expect(second.read('pipeline.lock')).toBe(first.read('pipeline.lock'));
    expect(published(second)).toEqual(published(first));
    expect(Object.keys(published(first))).toEqual(['provenance.json']);

    const lock = first.read('pipeline.lock');
    const reports = published(first);
    await run(first, ['run', '--force']);
    expect(first.read('pipeline.lock')).toBe(lock);
    expect(published(first)).toEqual(reports);
    await run(first);
    expect(first.read('pipeline.lock')).toBe(lock);
    expect(published(first)).toEqual(reports);
  });

  it('keeps keys, output hashes, metrics, inputs and the machine-class info in the lock; duration, host, run and GPU in the run record', async () => {
    const project = clone();
    await run(project);
    const data = parse(project.read('pipeline.lock')).stages.data;
    expect(Object.keys(data)).toEqual(['key', 'output', 'info', 'metrics', 'inputs']);
    expect(data.info).toEqual({ backend: 'fake', device: 'cpu' });
    expect(data.metrics).toEqual({ n: 3 });
    expect(project.read('pipeline.lock')).not.toMatch(/^\s+(duration_s|ran_on|host|run_id|finished|gpu_\w+):/m);

    const record = JSON.parse(project.read(`cache/entries/${data.key}/run.json`));
    expect(record.duration_s).toBeGreaterThan(0.05);
    expect(record.ran_on).toEqual({ host: os.hostname(), executor: 'local' });
    expect(record.run_id).toMatch(/\S/);
    expect(Date.parse(record.finished)).toBeGreaterThan(Date.now() - 60_000);
    expect(record.info.gpu_uuid).toMatch(/^GPU-\d+$/);

    // What the downstream stage was handed: the lock's view and where the output is, no duration or host.
    const handed = JSON.parse(project.read('handed-upstream.json')).data;
    expect(handed).toEqual({
      key: data.key,
      output_hash: data.output.hash,
      info: { backend: 'fake', device: 'cpu' },
      metrics: { n: 3 },
      path: path.join(project.dir, 'cache/entries', data.key, 'out'),
    });
  });

  it('after an upstream stage reruns with the same bytes (a dep edit), lock and reports/ are what a clean run writes', async () => {
    const [edited, clean] = [clone(), clone()];
    await run(edited);
    edited.write('notes.txt', 'v2: a note that changes no output\n');
    const rerun = await edited.run(['run']);
    expect(rerun.stderr).toContain('fresh      report');
    clean.write('notes.txt', 'v2: a note that changes no output\n');
    await run(clean);
    expect(edited.read('pipeline.lock')).toBe(clean.read('pipeline.lock'));
    expect(published(edited)).toEqual(published(clean));
  });

  it('status shows how long the last run took and where, from the run record', async () => {
    const project = clone();
    await run(project);
    const status = await project.run(['status']);
    expect(status.stdout).toMatch(new RegExp(`^fresh {5}data {2}\\(took 0\\.\\d s on ${os.hostname()} \\(local\\), \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\)$`, 'm'));
    expect(status.stdout).toContain('everything is fresh (2 stage(s))');
  });

  it('a lock an older linpath wrote, with durations and hosts, is rewritten without them by the next run, not by status', async () => {
    const project = clone();
    await run(project);
    const clean = project.read('pipeline.lock');
    const old = parse(clean);
    for (const stage of Object.values(old.stages) as Record<string, unknown>[]) {
      stage.duration_s = 1.5;
      stage.ran_on = { host: 'laptop', executor: 'local' };
    }
    old.stages.data.info.gpu_uuid = 'GPU-1234';
    const legacy = `# pipeline.lock\n${stringify(old)}`;
    project.write('pipeline.lock', legacy);
    expect((await project.run(['status'])).stdout).toContain('everything is fresh');
    expect(project.read('pipeline.lock')).toBe(legacy);
    await run(project);
    expect(project.read('pipeline.lock')).toBe(clean);
  });
});
